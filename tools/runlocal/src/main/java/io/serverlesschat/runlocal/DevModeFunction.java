package io.serverlesschat.runlocal;

import io.serverlesschat.lambda.InitFailure;
import io.serverlesschat.localdev.CtrlC;
import io.serverlesschat.localdev.SetupFailure;
import io.serverlesschat.runlocal.Supervised.Running;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A function in Quarkus dev mode (live reload), its own mock event server on the dev port. Its output goes
 * to a log file until the application started, and to the console after; an application that fails to
 * start is one line. Each {@link #call} starts it once, so that {@link Supervised} can start it again.
 */
final class DevModeFunction implements Callable<Running> {

    private static final Pattern ESCAPE_SEQUENCE = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");
    /** Maven's advice after any failed build (run with -e, -X, a wiki link): not about this one. */
    private static final Pattern MAVEN_BOILERPLATE = Pattern.compile(
            "\\[ERROR] *|\\[ERROR] (To see the full stack trace|Re-run Maven using|For more information about the errors|\\[Help 1]).*");

    private final Path project;
    private final String name;
    private final int port;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path output;
    private final FunctionLogs functionLogs;
    private final Function<String, SetupFailure> initFailure;

    /**
     * @param name         the function's name in its console lines
     * @param env          its environment variables
     * @param output       its log file
     * @param initFailure  a failed start as one line, from its reason
     */
    DevModeFunction(LocalOptions options, String name, Map<String, String> env, Path output, FunctionLogs functionLogs,
            Function<String, SetupFailure> initFailure) throws IOException {
        this.project = options.project();
        this.name = name;
        this.port = options.devPort() != 0 ? options.devPort() : freePort();
        this.command = new ArrayList<>(List.of(project.resolve("mvnw").toString(), "-B", "-q", "quarkus:dev",
                "-Dquarkus.lambda.mock-event-server.dev-port=" + port,
                // No interactive prompts and no analytics question: bin/local's console is not dev mode's.
                "-Dquarkus.console.enabled=false", "-Dquarkus.analytics.disabled=true",
                "-Ddebug=" + (options.debug() ? "5005" : "false")));
        this.env = env;
        this.output = output;
        this.functionLogs = functionLogs;
        this.initFailure = initFailure;
        Files.createDirectories(output.getParent());
    }

    int port() {
        return port;
    }

    /** Where its mock event server takes events. */
    URI eventsUri() {
        return URI.create("http://localhost:" + port + "/_lambda_");
    }

    /** Starts dev mode and returns once the application started. */
    @Override
    public Running call() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(CtrlC.ignoredBy(command)).directory(project.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<String> started = devModeOutput(process, name, output);
        Running running = Supervised.running(process, () -> {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        });
        String failure;
        try {
            failure = started.get(5, java.util.concurrent.TimeUnit.MINUTES);
        } catch (java.util.concurrent.TimeoutException e) {
            failure = "it did not start within 5 minutes";
        }
        if (failure != null) {
            running.stop().run();
            throw initFailure.apply(failure);
        }
        return running;
    }

    /**
     * Copies dev mode's output to {@code file}, and to the console once the application started, without
     * terminal escape sequences or Maven's boilerplate. Completes with null once the application started,
     * or with why it did not (its own message where it gave one).
     */
    private CompletableFuture<String> devModeOutput(Process process, String name, Path file) {
        CompletableFuture<String> started = new CompletableFuture<>();
        Thread echo = new Thread(() -> {
            List<String> lines = new ArrayList<>();
            boolean failing = false;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter copy = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), true)) {
                for (String line; (line = in.readLine()) != null; ) {
                    String clean = ESCAPE_SEQUENCE.matcher(line).replaceAll("");
                    copy.println(clean);
                    if (started.isDone()) {
                        if (!MAVEN_BOILERPLATE.matcher(clean).matches()) {
                            functionLogs.show(name + " dev", clean);
                        }
                        continue;
                    }
                    lines.add(clean);
                    if (clean.contains("Failed to start application")) {
                        failing = true; // its stack trace follows: the reason is its last cause
                    } else if (failing && !clean.startsWith("\t") && !clean.startsWith("Caused by") && !clean.startsWith(" ")) {
                        started.complete(InitFailure.reasonFrom(lines, null, 0));
                    } else if (clean.contains("Live Coding activated")) {
                        started.complete(null);
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
            started.complete(InitFailure.reasonFrom(lines, null, process.isAlive() ? 0 : exitValue(process)));
        }, "dev-mode-output");
        echo.setDaemon(true);
        echo.start();
        return started;
    }

    private static int exitValue(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
