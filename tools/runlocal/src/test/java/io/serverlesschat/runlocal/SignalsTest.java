package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.lambda.Cgroups;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/local stops cleanly at any moment, whatever the signal: SIGINT to its process group (a terminal's
 * Ctrl-C) or SIGINT/SIGTERM to bin/local alone (kill, timeout), during its script's build, moto's start, the
 * execution environments' init, dev mode's start (Maven and the Quarkus JVM it forks), or after Ready. Its
 * children ignore Ctrl-C and run in process groups of their own; before, a signal before Ready left them all
 * running, parented to init. Each case then finds no process of the run (every process seen while it ran, the
 * members of their process groups, and any process with the run's marker in its environment), no port still
 * listening, and no cgroup of the run.
 */
class SignalsTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();
    private static final Pattern READY = Pattern.compile("Ready\\. WebSocket API: (ws://\\S+)");
    private static final String MARKER = "SERVERLESSCHAT_SIGNALS_TEST";

    @TempDir
    Path tmp;

    private final List<Run> runs = new ArrayList<>();

    @BeforeEach
    void setsid() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")), "setsid (util-linux) starts a process group");
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "/proc lists processes by group and environment");
    }

    @AfterEach
    void killWhatIsLeft() {
        runs.forEach(Run::kill);
    }

    @Test
    void sigtermToBinLocalAloneDuringDevModesStart() throws Exception {
        Run run = start(Map.of(), "--port", free(), "--dynamodb-port", free(), "--dev-port", free());
        // Maven has forked the Quarkus JVM (its -dev.jar): two processes of dev mode's group.
        run.awaitProcess(command -> command.contains("-dev.jar"), 240);
        assertFalse(run.output().stream().anyMatch(l -> l.contains("Ready.")), "still starting");
        run.signal("TERM", false);
        run.assertStoppedCleanly();
    }

    @Test
    void sigintToTheGroupDuringMotosStart() throws Exception {
        Run run = start(Map.of(), "--function", "zip", "--port", free(), "--dynamodb-port", free());
        run.awaitProcess(command -> command.contains("moto_server"), 60);
        run.signal("INT", true);
        run.assertStoppedCleanly();
    }

    @Test
    void sigintToTheGroupDuringTheExecutionEnvironmentsInit() throws Exception {
        Run run = start(Map.of(), "--function", "zip", "--port", free(), "--dynamodb-port", free());
        run.awaitProcess(command -> command.contains("com.amazonaws.services.lambda.runtime.api.client.AWSLambda"), 120);
        assertFalse(run.output().stream().anyMatch(l -> l.contains("Ready.")), "still starting");
        run.signal("INT", true);
        run.assertStoppedCleanly();
    }

    /** SIGINT to bin/local alone (kill -INT PID) after Ready: the orderly stop, every open socket's $disconnect delivered. */
    @Test
    void sigintToBinLocalAloneAfterReadyStillDeliversEveryDisconnect() throws Exception {
        try (LocalDynamoDb dynamo = LocalDynamoDb.startMoto(0)) {
            Run run = start(Map.of("DYNAMODB_ENDPOINT", dynamo.endpoint().toString()), "--function", "zip", "--port", free());
            URI url = run.awaitReady(300);
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                http.newWebSocketBuilder().buildAsync(url, new WebSocket.Listener() { }).get(60, TimeUnit.SECONDS);
            }
            await(() -> run.count(l -> l.startsWith("$connect") && l.contains(" -> 200 in ")) == 3, "every handshake recorded");
            run.signal("INT", false);
            run.assertStoppedCleanly();
            assertEquals(3, run.count(l -> l.startsWith("$disconnect") && l.contains(" -> 200 in ")),
                    "a $disconnect answered 200 per open socket:\n" + String.join("\n", run.output()));
            assertEquals(0, dynamo.client().scan(s -> s.tableName(RunLocal.TABLE).consistentRead(true)).count(), "items left");
        }
    }

    /**
     * bin/local killed outright (SIGKILL: no hook runs) leaves its processes and its record; the next one names
     * them, and the command it gives stops them all.
     */
    @Test
    void whatAKilledBinLocalLeftIsNamedWithHowToStopIt() throws Exception {
        String gatewayPort = free();
        String dynamoPort = free();
        Run killed = start(Map.of(), "--function", "zip", "--port", gatewayPort, "--dynamodb-port", dynamoPort);
        killed.awaitReady(300);
        Path record = PROJECT.resolve(Leftovers.FILE);
        assertTrue(Files.readString(record).contains("bin/local " + killed.process.pid() + " "), Files.readString(record));

        // While it runs, a second one on its ports is told so, not told to kill its processes.
        Run second = start(Map.of(), "--function", "zip", "--port", gatewayPort, "--dynamodb-port", dynamoPort);
        assertTrue(second.process.waitFor(60, TimeUnit.SECONDS), "the second bin/local stops at once");
        assertEquals(1, second.process.exitValue());
        assertEquals("bin/local: ports " + gatewayPort + " (the WebSocket gateway) and " + dynamoPort + " (the local DynamoDB) are"
                + " taken by another bin/local, still running (pid " + killed.process.pid() + "): stop it with Ctrl-C in its"
                + " terminal, or kill " + killed.process.pid() + ", or give this one other ports (bin/local --help)",
                String.join("\n", second.output()));

        killed.signal("KILL", false);
        assertTrue(killed.process.waitFor(10, TimeUnit.SECONDS));
        assertTrue(listening(Integer.parseInt(dynamoPort)), "moto outlives a SIGKILL of bin/local");

        Run next = start(Map.of(), "--function", "zip", "--port", gatewayPort, "--dynamodb-port", dynamoPort);
        assertTrue(next.process.waitFor(60, TimeUnit.SECONDS), "the next bin/local stops at once");
        assertEquals(1, next.process.exitValue());
        String said = String.join("\n", next.output());
        // The gateway's port went with the killed JVM; moto still holds the DynamoDB port.
        Matcher named = Pattern.compile("^bin/local: port " + dynamoPort + " \\(the local DynamoDB\\) is taken by what an earlier bin/local \\(pid " + killed.process.pid()
                + "\\) left running when it was stopped before it could stop them: .*moto_server.*\\. Stop them with: (kill -- [-0-9 ]+)"
                + " \\(their record: target/local/bin-local.pid\\)$").matcher(said);
        assertTrue(named.matches(), said);

        Process kill = new ProcessBuilder("bash", "-c", named.group(1)).inheritIO().start();
        assertEquals(0, kill.waitFor());
        killed.assertStoppedCleanly();
        Files.deleteIfExists(record);
    }

    /** bin/local's script builds the tools before it becomes the JVM: a SIGTERM to it alone stops the build too. */
    @Test
    void sigtermToTheScriptAloneDuringItsBuildStopsTheBuild() throws Exception {
        Path build = scriptWithSlowBuild();
        Run run = new Run(script(build), Map.of());
        runs.add(run);
        Path pid = build.resolve("build.pid");
        await(() -> Files.exists(pid) && !read(pid).isEmpty(), "the build started");
        long maven = Long.parseLong(read(pid));
        run.signal("TERM", false);
        assertTrue(run.process.waitFor(10, TimeUnit.SECONDS), "the script stopped");
        assertEquals(143, run.process.exitValue());
        await(() -> ProcessHandle.of(maven).map(ProcessHandle::isAlive).orElse(false) == false, "the build stopped with it");
    }

    /** And a terminal's Ctrl-C (SIGINT to the group), the build in the background of the script. */
    @Test
    void sigintToTheGroupDuringTheScriptsBuildStopsTheBuild() throws Exception {
        Path build = scriptWithSlowBuild();
        Run run = new Run(script(build), Map.of());
        runs.add(run);
        Path pid = build.resolve("build.pid");
        await(() -> Files.exists(pid) && !read(pid).isEmpty(), "the build started");
        long maven = Long.parseLong(read(pid));
        run.signal("INT", true);
        assertTrue(run.process.waitFor(10, TimeUnit.SECONDS), "the script stopped");
        assertEquals(130, run.process.exitValue());
        await(() -> ProcessHandle.of(maven).map(ProcessHandle::isAlive).orElse(false) == false, "the build stopped with it");
    }

    /** A copy of bin/local whose tools are unbuilt and whose Maven wrapper only records its pid and waits. */
    private Path scriptWithSlowBuild() throws IOException {
        Path copy = tmp.resolve("project");
        Files.createDirectories(copy.resolve("bin"));
        Files.copy(PROJECT.resolve("bin/local"), copy.resolve("bin/local"));
        Files.writeString(copy.resolve("mvnw"), "#!/bin/sh\necho $$ > \"$(dirname \"$0\")/build.pid\"\nexec sleep 300\n");
        for (Path script : List.of(copy.resolve("bin/local"), copy.resolve("mvnw"))) {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return copy;
    }

    private static List<String> script(Path copy) {
        // DYNAMODB_ENDPOINT skips the moto_server lookup; nothing is reached before the build.
        return List.of("env", "DYNAMODB_ENDPOINT=http://127.0.0.1:9", "bash", copy.resolve("bin/local").toString());
    }

    private Run start(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dproject.dir=" + PROJECT, LocalCommand.class.getName()));
        command.addAll(List.of(args));
        Run run = new Run(command, env);
        runs.add(run);
        return run;
    }

    /** One bin/local, started as a terminal starts it: leader of its own process group, SIGINT at its default. */
    static final class Run {
        final Process process;
        final String marker = UUID.randomUUID().toString();
        private final List<String> output = new CopyOnWriteArrayList<>();
        /** Every process of the run seen while it ran, by pid, with its command line. */
        private final Map<Long, ProcessHandle> seen = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<Long, String> commands = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<Integer> ports = new CopyOnWriteArrayList<>();

        Run(List<String> command, Map<String, String> env) throws IOException {
            List<String> full = new ArrayList<>(List.of("/usr/bin/setsid", "perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die"));
            full.addAll(command);
            for (int i = 0; i < command.size() - 1; i++) {
                if (command.get(i).matches("--(port|dynamodb-port|dev-port)")) {
                    ports.add(Integer.valueOf(command.get(i + 1)));
                }
            }
            ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
            builder.environment().remove("DYNAMODB_ENDPOINT");
            builder.environment().putAll(env);
            builder.environment().put(MARKER, marker);
            process = builder.start();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        output.add(line);
                    }
                } catch (IOException e) {
                    // ended
                }
            });
            reader.setDaemon(true);
            reader.start();
            Thread watcher = new Thread(() -> {
                while (process.isAlive()) {
                    process.descendants().forEach(p -> {
                        seen.putIfAbsent(p.pid(), p);
                        p.info().commandLine().ifPresent(c -> commands.put(p.pid(), c)); // again after an exec
                    });
                    sleep(100);
                }
            });
            watcher.setDaemon(true);
            watcher.start();
        }

        List<String> output() {
            return List.copyOf(output);
        }

        long count(Predicate<String> line) {
            return output.stream().filter(line).count();
        }

        URI awaitReady(int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline && process.isAlive()) {
                for (String line : output) {
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        return URI.create(m.group(1));
                    }
                }
                Thread.sleep(100);
            }
            throw new AssertionError("no Ready. within " + seconds + " s:\n" + String.join("\n", output));
        }

        void awaitProcess(Predicate<String> command, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (commands.values().stream().noneMatch(command)) {
                assertTrue(process.isAlive(), "bin/local ended:\n" + String.join("\n", output));
                assertTrue(System.nanoTime() < deadline, "no such process within " + seconds + " s: " + commands.values()
                        + "\n" + String.join("\n", output));
                Thread.sleep(20);
            }
        }

        /** {@code kill -s SIG PID}, or to the whole group (what a terminal does on Ctrl-C). */
        void signal(String signal, boolean group) throws Exception {
            // Not "kill -INT -PGID": procps-ng's kill 4.0.2 reads that as a signal for every process of the machine.
            Process kill = new ProcessBuilder("kill", "-s", signal, "--", (group ? "-" : "") + process.pid()).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -s " + signal);
        }

        /** bin/local ended within 60 s, and nothing of its run is left: no process, no port, no cgroup. */
        void assertStoppedCleanly() throws InterruptedException {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "bin/local stopped within 60 s:\n" + String.join("\n", output));
            assertFalse(seen.isEmpty(), "the run started processes");
            await(() -> left().isEmpty(), "no process of the run is left: " + describe(left()) + "\nof " + commands
                    + "\n" + String.join("\n", output));
            for (int port : ports) {
                await(() -> !listening(port), "port " + port + " is free");
            }
            assertEquals(List.of(), cgroupsOf(process.pid()), "no cgroup of the run");
        }

        /** The processes seen, the members of their groups, and any process with the run's marker, still alive. */
        List<Long> left() {
            List<Long> groups = new ArrayList<>();
            seen.keySet().forEach(pid -> groups.add(pid));
            groups.add(process.pid()); // bin/local's own group: what it started without a group of its own
            List<Long> alive = new ArrayList<>();
            for (long pid : allPids()) {
                Optional<ProcessHandle> handle = ProcessHandle.of(pid);
                if (handle.isEmpty() || zombie(pid)) {
                    continue;
                }
                ProcessHandle seenOne = seen.get(pid);
                boolean sameProcess = seenOne != null && handle.get().info().startInstant().equals(seenOne.info().startInstant());
                if (sameProcess || groups.contains(OwnProcesses.group(pid)) || environ(pid).contains(MARKER + "=" + marker)) {
                    alive.add(pid);
                }
            }
            return alive;
        }

        private String describe(List<Long> pids) {
            Map<Long, String> described = new LinkedHashMap<>();
            pids.forEach(pid -> described.put(pid, ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("?")));
            return described.toString();
        }

        void kill() {
            left().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            process.destroyForcibly();
        }
    }

    private static List<Long> allPids() {
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            return proc.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::valueOf).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String environ(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Cgroups named for bin/local's process id (the tools' cgroups are named PREFIX-PID-N), in any hierarchy. */
    private static List<String> cgroupsOf(long pid) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                try (Stream<Path> groups = Files.list(hierarchy)) {
                    groups.map(g -> g.getFileName().toString()).filter(n -> n.startsWith(Cgroups.PREFIX + "-" + pid + "-"))
                            .forEach(found::add);
                } catch (IOException | RuntimeException notADirectory) {
                    // a file of the unified hierarchy
                }
            }
        } catch (IOException e) {
            // no cgroup file system: none can be left
        }
        return found;
    }

    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String free() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return Integer.toString(socket.getLocalPort());
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " (not within 30 s)");
            }
            Thread.sleep(100);
        }
    }
}
