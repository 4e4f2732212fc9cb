package io.serverlesschat.local;

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
        assertTrue(command.contains("-XX:MaxHeapSize=" + (512 * 1024 * 85 / 100) + "k"));
        int cp = command.indexOf("-classpath");
        assertEquals("/ric/aws-lambda-java-runtime-interface-client-2.10.1.jar:/ric/core.jar", command.get(cp + 1));
        assertTrue(command.indexOf("-XX:AOTCache=x.aot") < cp, "extra options come before the main class");
        assertEquals(List.of(FunctionLauncher.RIC_MAIN, FunctionLauncher.QUARKUS_HANDLER),
                command.subList(command.size() - 2, command.size()));
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
                process.stop(Duration.ofSeconds(5));
                assertFalse(process.isAlive());
            }
        }
    }
}
