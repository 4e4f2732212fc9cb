package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native build's poll loop on the JVM ({@link PollLoopFailure}): with a Runtime API that cannot be
 * reached, the loop logs its error and stops the application, and the process must then end, with status
 * 1, instead of waiting for ever ({@link RuntimeLoopExit}). The JVM build on AWS's runtime interface
 * client, and a native zip's bootstrap, are checked the same way in tools/lambda's FunctionZipOnLambdaTest.
 */
class PollLoopExitIT {

    private static final Path TARGET = Path.of(System.getProperty("function.zip", "target/function.zip")).getParent();
    private static final long BOUND_SECONDS = 60; // a start-up takes 1-3 s here; generous for a loaded machine

    @TempDir
    Path work;

    @Test
    void anUnreachableRuntimeApiEndsTheProcessWithStatus1() throws Exception {
        Path runner = runnerJar();
        Path output = work.resolve("function.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", runner + java.io.File.pathSeparator + TARGET.resolve("test-classes"), PollLoopFailure.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + closedPort());
        builder.environment().put("TABLE_NAME", "connections");
        builder.environment().put("AWS_REGION", "eu-west-1");
        builder.environment().put("AWS_ACCESS_KEY_ID", "test");
        builder.environment().put("AWS_SECRET_ACCESS_KEY", "test");
        builder.environment().put("DYNAMODB_ENDPOINT", "http://127.0.0.1:" + closedPort());
        builder.environment().put("DYNAMODB_PRIMING", "false");
        Process process = builder.start();
        try {
            boolean ended = process.waitFor(BOUND_SECONDS, TimeUnit.SECONDS);
            String log = Files.readString(output);
            assertTrue(log.contains("Error running lambda"), "the poll loop ran and failed: " + log);
            assertTrue(ended, "the process is still up " + BOUND_SECONDS + " s after its poll loop ended: " + log);
            assertEquals(RuntimeLoopExit.LOOP_ENDED, process.exitValue(), log);
        } finally {
            process.destroyForcibly();
        }
    }

    /** The JVM build's application jar (its manifest names target/lib); a native build has none. */
    private static Path runnerJar() throws IOException {
        try (Stream<Path> files = Files.list(TARGET)) {
            List<Path> jars = files.filter(f -> f.getFileName().toString().endsWith("-runner.jar")).toList();
            if (jars.isEmpty()) {
                String why = "PollLoopExitIT SKIPPED: no runner jar (a native build); FunctionZipOnLambdaTest runs the bootstrap.";
                System.out.println("\n*** " + why + " ***\n");
                Assumptions.abort(why);
            }
            return jars.get(0);
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
