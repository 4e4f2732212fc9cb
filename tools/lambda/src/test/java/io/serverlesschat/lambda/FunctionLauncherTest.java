package io.serverlesschat.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionLauncherTest {

    @TempDir
    Path taskRoot;

    @Test
    void aJvmPackageRunsOnTheRuntimeInterfaceClientWithAwsFlags() {
        List<Path> ric = List.of(Path.of("/ric/aws-lambda-java-runtime-interface-client-2.10.1.jar"), Path.of("/ric/core.jar"));
        FunctionLauncher launcher = FunctionLauncher.of(FunctionZip.Kind.JVM, taskRoot).runtimeApi("127.0.0.1:9001/_lambda_")
                .memoryMb(512).ricClassPath(ric).jvmOptions(List.of("-XX:AOTCache=x.aot"));
        List<String> command = launcher.command();
        assertTrue(command.get(0).endsWith("/bin/java"));
        assertTrue(command.containsAll(List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")));
        assertTrue(command.contains("-XX:MaxHeapSize=445644k"), "85 % of 512 MB (AWS's java17: 445645k)");
        assertFalse(command.contains("-XX:-UseContainerSupport"), "only in a cgroup");
        assertTrue(command.contains("-D" + FunctionLauncher.RIC_JNI_PROPERTY + "=/ric/jni/libaws-lambda-jni.linux-x86_64.so")
                || command.contains("-D" + FunctionLauncher.RIC_JNI_PROPERTY + "=/ric/jni/libaws-lambda-jni.linux-aarch_64.so"),
                "the JNI library from beside the runtime client's jars, not rewritten in /tmp at each start");
        int cp = command.indexOf("-classpath");
        assertEquals("/ric/aws-lambda-java-runtime-interface-client-2.10.1.jar:/ric/core.jar", command.get(cp + 1));
        assertTrue(command.indexOf("-XX:AOTCache=x.aot") < cp, "extra options come before the main class");
        assertEquals(List.of(FunctionLauncher.RIC_MAIN, FunctionLauncher.QUARKUS_HANDLER),
                command.subList(command.size() - 2, command.size()));
    }

    /** AWS's java11/java17 command lines at eight memory sizes (captured in 2023) against the rule. */
    @Test
    void theHeapIsWhatAwsGivesEachMemorySetting() {
        Map<Integer, Long> captured = Map.of(128, 111412L, 256, 222823L, 512, 445645L, 1024, 891289L, 2048, 1848320L,
                4096, 3945472L, 8192, 8140800L, 10240, 10237952L);
        captured.forEach((mb, kb) -> assertTrue(Math.abs(FunctionLauncher.heapKb(mb) - kb) <= 1024,
                mb + " MB: " + FunctionLauncher.heapKb(mb) + "k, AWS " + kb + "k"));
        assertEquals(222822, FunctionLauncher.heapKb(256), "85 % up to 1 GB");
        assertEquals(1_562_624, FunctionLauncher.heapKb(1769), "memory less 243 MiB above");
    }

    @Test
    void inACgroupTheCommandEntersItFirstAndTheJvmIgnoresItsLimits() throws Exception {
        Path root = Files.createDirectory(taskRoot.resolve("cgroup"));
        FunctionCgroup group = new FunctionCgroup(CgroupVersion.V2, "serverlesschat-bench-1-1", Map.of("unified", root));
        List<String> command = FunctionLauncher.of(FunctionZip.Kind.JVM, taskRoot).runtimeApi("127.0.0.1:1/_lambda_")
                .ricClassPath(List.of(Path.of("/ric/aws-lambda-java-runtime-interface-client-2.10.1.jar"))).cgroup(group).command();
        assertEquals(List.of("/bin/sh", "-c"), command.subList(0, 2));
        assertTrue(command.get(2).contains(root.resolve("cgroup.procs").toString()) && command.get(2).endsWith("exec \"$@\""));
        assertTrue(command.get(4).endsWith("/bin/java"), "then the JVM, with the shell's pid");
        assertTrue(command.contains("-XX:-UseContainerSupport"), "Lambda's JVM sees its microVM's vCPUs, not a quota");
        assertTrue(command.contains("-XX:MaxRAM=1024m"), "and a machine of the memory setting");
    }

    @Test
    void theEnvironmentIsLambdasPlusTheFunctionsOwnAndNothingElse() {
        Map<String, String> env = FunctionLauncher.of(FunctionZip.Kind.JVM, taskRoot).runtimeApi("127.0.0.1:9001/_lambda_")
                .functionName("connect").memoryMb(256).env("TABLE_NAME", "connections").environment();
        assertEquals("127.0.0.1:9001/_lambda_", env.get("AWS_LAMBDA_RUNTIME_API"));
        assertEquals(FunctionLauncher.QUARKUS_HANDLER, env.get("_HANDLER"));
        assertEquals(taskRoot.toAbsolutePath().toString(), env.get("LAMBDA_TASK_ROOT"));
        assertEquals("connect", env.get("AWS_LAMBDA_FUNCTION_NAME"));
        assertEquals("256", env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
        assertEquals("$LATEST", env.get("AWS_LAMBDA_FUNCTION_VERSION"));
        assertEquals("eu-west-1", env.get("AWS_REGION"));
        assertTrue(env.get("AWS_EXECUTION_ENV").startsWith("AWS_Lambda_java"));
        assertEquals("connections", env.get("TABLE_NAME"));
        assertFalse(env.containsKey("JAVA_TOOL_OPTIONS"));
        assertFalse(env.containsKey("HOME"), "nothing from the developer's shell");
    }

    @Test
    void aNativePackageRunsItsBootstrapWithoutAnExecutionEnv() {
        FunctionLauncher launcher = FunctionLauncher.of(FunctionZip.Kind.NATIVE, taskRoot).runtimeApi("127.0.0.1:1/_lambda_");
        assertEquals(List.of(taskRoot.toAbsolutePath().resolve("bootstrap").toString()), launcher.command());
        assertFalse(launcher.environment().containsKey("AWS_EXECUTION_ENV"), "custom runtimes get none");
    }

    /** A real process against a real Runtime API: a shell bootstrap that speaks the Runtime API with curl. */
    @Test
    void aBootstrapGetsTheEventThroughTheRuntimeApiAndItsAnswerComesBack() throws Exception {
        Path bootstrap = taskRoot.resolve("bootstrap");
        Files.writeString(bootstrap, """
                #!/bin/sh
                set -eu
                api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
                headers=$(mktemp)
                event=$(curl -sS -D "$headers" "$api/next")
                id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | cut -d' ' -f2 | tr -d '\\r')
                curl -sS -X POST -d "{\\"statusCode\\":200,\\"body\\":\\"$TABLE_NAME $AWS_LAMBDA_FUNCTION_MEMORY_SIZE\\",\\"event\\":$event}" "$api/$id/response"
                sleep 30
                """);
        assertTrue(bootstrap.toFile().setExecutable(true));
        try (RuntimeApiServer api = RuntimeApiServer.startOnFreePort("shell")) {
            var submission = api.submit("{\"n\":7}");
            try (FunctionProcess process = FunctionLauncher.of(FunctionZip.Kind.NATIVE, taskRoot)
                    .runtimeApi(api.runtimeApiAddress()).memoryMb(128).env("TABLE_NAME", "connections").start()) {
                var answer = submission.answer(Duration.ofSeconds(20));
                assertEquals(200, answer.httpStatus(), process.outputTail(20));
                assertEquals("{\"statusCode\":200,\"body\":\"connections 128\",\"event\":{\"n\":7}}", answer.body());
                assertTrue(api.firstPollNanos().getAsLong() > process.startNanos(), "the poll came after exec");
                assertTrue(process.peakRssKb() > 0, "the shell's resident memory was read from /proc");
                assertTrue(process.isAlive());
                assertTrue(process.cgroup().isEmpty());
                process.stop(Duration.ofSeconds(5));
                assertFalse(process.isAlive());
            }
        }
    }

    /** The same bootstrap in a cgroup with Lambda's limits for 128 MB: it answers, its CPU time is the group's. */
    @Test
    void aBootstrapInACgroupAnswersAndItsGroupGoesWithIt() throws Exception {
        Cgroups cgroups;
        try {
            cgroups = Cgroups.detect();
        } catch (Cgroups.Unavailable e) {
            org.junit.jupiter.api.Assumptions.abort("NOT RUN: no usable cgroups here: " + e.getMessage());
            return;
        }
        Path bootstrap = taskRoot.resolve("bootstrap");
        Files.writeString(bootstrap, """
                #!/bin/sh
                api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
                headers=$(mktemp)
                curl -sS -D "$headers" -o /dev/null "$api/next"
                id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | cut -d' ' -f2 | tr -d '\\r')
                curl -sS -X POST -d '{"statusCode":200}' "$api/$id/response"
                sleep 30
                """);
        assertTrue(bootstrap.toFile().setExecutable(true));
        FunctionCgroup group = cgroups.create();
        group.limitMemory(128);
        group.limitCpu(128 / 1769.0);
        try (RuntimeApiServer api = RuntimeApiServer.startOnFreePort("shell")) {
            var submission = api.submit("{}");
            try (FunctionProcess process = FunctionLauncher.of(FunctionZip.Kind.NATIVE, taskRoot)
                    .runtimeApi(api.runtimeApiAddress()).memoryMb(128).cgroup(group).start()) {
                assertEquals(200, submission.answer(Duration.ofSeconds(30)).httpStatus(), process.outputTail(20));
                assertTrue(group.pids().contains(process.pid()), "the bootstrap runs in the group");
                long cpu = process.cpuNanos();
                assertTrue(cpu > 0, "the shell and its curls used some CPU");
                assertTrue(group.cpuNanos() >= cpu, "read from the group's own counter");
                assertTrue(process.cpuSource().contains("cgroup"));
            }
        }
        assertFalse(cgroups.existing().contains(group.name()), "closing the process removed its group");
    }
}
