package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.serverlesschat.lambda.Cgroups;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local mode end to end on native zips whose bootstrap is a shell script speaking the Runtime API (no
 * native image can be built here; any native zip runs the same way): Lambda's limits imposed, CPU time
 * read, a sweep, a function killed for memory reported as a failed run, and no cgroup left after a run,
 * a failed run, or a benchmark interrupted with SIGINT. Needs root and cgroups; says so and stops without.
 */
class LocalBenchmarkTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Cgroups cgroups;

    @TempDir
    Path dir;

    @BeforeAll
    static void cgroups() {
        try {
            cgroups = Cgroups.detect();
        } catch (Cgroups.Unavailable e) {
            Assumptions.abort("NOT RUN: no usable cgroups here: " + e.getMessage());
        }
    }

    /**
     * A native zip whose bootstrap runs {@code init}, polls, writes the connection's item to DynamoDB as
     * the real function does, runs {@code work}, and answers 200. Over HTTPS it trusts what a native image
     * would: the root of the store its {@code -Djavax.net.ssl.trustStore} argument names (curl verifies the
     * chain and the host name against it).
     */
    private Path nativeZip(String init, String work) throws IOException {
        String bootstrap = """
                #!/bin/sh
                set -eu
                %s
                tls=""
                for arg in "$@"; do
                  case "$arg" in -Djavax.net.ssl.trustStore=*)
                    root=$(mktemp)
                    keytool -exportcert -rfc -alias serverless-chat-local-root -keystore "${arg#*=}" -storepass changeit > "$root"
                    tls="--cacert $root" ;;
                  esac
                done
                api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
                headers=$(mktemp)
                event=$(curl -sS -D "$headers" "$api/next")
                id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | cut -d' ' -f2 | tr -d '\\r')
                connection=$(printf '%%s' "$event" | grep -o '"connectionId":"[^"]*"' | head -1 | cut -d'"' -f4)
                curl -sS $tls -o /dev/null -X POST "$DYNAMODB_ENDPOINT" -H 'Content-Type: application/x-amz-json-1.0' \\
                  -H 'X-Amz-Target: DynamoDB_20120810.PutItem' \\
                  -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \\
                  -d "{\\"TableName\\":\\"$TABLE_NAME\\",\\"Item\\":{\\"connectionId\\":{\\"S\\":\\"$connection\\"}}}"
                %s
                curl -sS -o /dev/null -X POST -d '{"statusCode":200,"body":"Connected."}' "$api/$id/response"
                sleep 60
                """.formatted(init, work);
        Path zip = dir.resolve("function-" + System.nanoTime() + ".zip");
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
            out.putNextEntry(new ZipEntry("bootstrap"));
            out.write(bootstrap.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return zip;
    }

    private int bench(Path zip, String memory, Path out, ByteArrayOutputStream console) throws Exception {
        PrintStream print = new PrintStream(console, true, StandardCharsets.UTF_8);
        return ColdStart.execute(new String[] {"--variant", "native", "--function-zip", zip.toString(), "--memory", memory,
            "--runs", "1", "--warmup", "0", "--no-build", "--timeout", "60", "--out", out.toString()}, PROJECT, print, print);
    }

    private static Set<String> groupsOfThisJvm() {
        String mine = Cgroups.PREFIX + "-" + ProcessHandle.current().pid() + "-";
        return Set.copyOf(cgroups.existing().stream().filter(n -> n.startsWith(mine)).toList());
    }

    @Test
    void anyNativeZipRunsWithLambdasLimitsAndItsCpuTimeIsMeasured() throws Exception {
        // After the event: 0.4 s of busy shell, which the share must throttle.
        Path zip = nativeZip(":", "end=$(( $(date +%s%N) / 1000000 + 400 )); while [ $(( $(date +%s%N) / 1000000 )) -lt $end ]; do :; done");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Path out = dir.resolve("out");
        assertEquals(0, bench(zip, "128,512", out, console), console.toString(StandardCharsets.UTF_8));

        JsonNode results = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(2, results.path("schema").asInt());
        assertEquals("burst", results.path("settings").path("initCpu").asText());
        for (JsonNode v : results.path("variants")) {
            int memory = v.path("memoryMb").asInt();
            assertEquals("connect/native/" + memory + "MB", v.path("key").asText());
            assertTrue(v.path("limits").asText().contains("memory limit " + memory + " MB"), v.path("limits").asText());
            JsonNode run = v.path("runs").get(0);
            assertTrue(run.path("ok").asBoolean(), run.toString());
            JsonNode f = run.path("figures");
            double share = memory / 1769.0;
            double invocationCpu = f.path("totalCpuMs").asDouble() - f.path("initCpuMs").asDouble();
            assertTrue(f.path("initCpuMs").asDouble() > 0 && invocationCpu > 0, f.toString());
            // At most the quota of every 100 ms period it touched (CFS enforces it to within a few percent).
            assertTrue(invocationCpu <= (f.path("invocationMs").asDouble() / 100 + 2) * share * 100 * 1.1,
                    memory + " MB: the invocation got at most its share of a CPU: " + f);
            assertTrue(invocationCpu >= f.path("invocationMs").asDouble() * share * 0.3,
                    memory + " MB: and used a fair part of it: " + f);
            assertTrue(f.path("cgroupPeakMb").asDouble() > 0 && f.path("cgroupPeakMb").asDouble() <= memory, f.toString());
            assertTrue(v.path("cost").path("gbSeconds").asDouble() > 0);
            assertTrue(run.path("loadAverage").isNumber());
            // Over HTTPS (the default): the bootstrap was given its trust store and wrote through one connection.
            assertEquals(0, f.path("initConnections").asInt(), f.toString());
            assertEquals(1, f.path("invocationConnections").asInt(), f.toString());
        }
        assertEquals("https", results.path("settings").path("dynamoDb").path("protocol").asText());
        assertTrue(results.path("settings").path("dynamoDb").path("trustStoreFiles").has("native"), results.toString());
        assertTrue(Files.exists(out.resolve("sweep.png")), "two memory settings: a sweep chart");
        assertTrue(groupsOfThisJvm().isEmpty(), "no cgroup left: " + groupsOfThisJvm());
    }

    @Test
    void aFunctionOverItsMemoryLimitIsAFailedRunAndSaysSo() throws Exception {
        Path zip = nativeZip("python3 -c 'b = bytearray(300 * 1024 * 1024)'", ":");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Path out = dir.resolve("oom");
        assertEquals(1, bench(zip, "128", out, console), console.toString(StandardCharsets.UTF_8));
        JsonNode run = JSON.readTree(out.resolve("results.json").toFile()).path("variants").get(0).path("runs").get(0);
        assertFalse(run.path("ok").asBoolean());
        assertTrue(run.path("error").asText().startsWith("out of memory: the kernel killed 1 process(es) of the function at its 128 MB limit"),
                run.path("error").asText());
        assertTrue(Files.readString(out.resolve("results.md")).contains("out of memory"));
        assertTrue(groupsOfThisJvm().isEmpty(), "no cgroup left after a failed run: " + groupsOfThisJvm());
    }

    @Test
    void aBenchmarkInterruptedWithSigintLeavesNoCgroupAndNoFunction() throws Exception {
        Path zip = nativeZip("sleep 120", ":"); // init never ends in time: the run is under way when we interrupt
        // SIGINT back at its default first: this JVM may have inherited it ignored (a script's background
        // job), and a JVM started with SIGINT ignored never handles it.
        Process bench = new ProcessBuilder("python3", "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dproject.dir=" + PROJECT, "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-cp", System.getProperty("java.class.path"), ColdStart.class.getName(),
                "--variant", "native", "--function-zip", zip.toString(), "--memory", "128", "--runs", "1", "--warmup", "0",
                "--no-build", "--out", dir.resolve("interrupted").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("console.txt").toFile()).start();
        String prefix = Cgroups.PREFIX + "-" + bench.pid() + "-";
        String group = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (group == null && System.nanoTime() < deadline && bench.isAlive()) {
            group = cgroups.existing().stream().filter(n -> n.startsWith(prefix) && !cgroups.pids(n).isEmpty()).findFirst().orElse(null);
            Thread.sleep(50);
        }
        assertTrue(group != null, "the benchmark started its function in a cgroup: " + Files.readString(dir.resolve("console.txt")));
        Set<Long> function = cgroups.pids(group);
        java.util.List<ProcessHandle> children = bench.descendants().toList(); // moto_server, the function
        try {
            assertTrue(children.size() >= 2, children.toString());
            new ProcessBuilder("kill", "-INT", Long.toString(bench.pid())).start().waitFor();
            assertTrue(bench.waitFor(30, TimeUnit.SECONDS), "SIGINT ends the benchmark");
            assertTrue(cgroups.existing().stream().noneMatch(n -> n.startsWith(prefix)), "its cgroups are gone: " + cgroups.existing());
            for (long pid : function) {
                assertTrue(dead(pid), "the function's process " + pid + " is gone");
            }
            for (ProcessHandle child : children) {
                assertTrue(dead(child.pid()), "the benchmark's process " + child.info().command().orElse("?") + " is gone");
            }
        } finally { // whatever the outcome, nothing stays
            bench.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            children.forEach(ProcessHandle::destroyForcibly);
            cgroups.removeStale();
        }
    }

    /** Gone, or a zombie its new parent has not reaped yet. */
    private static boolean dead(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return true;
        }
    }
}
