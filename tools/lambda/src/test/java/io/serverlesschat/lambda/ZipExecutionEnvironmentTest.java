package io.serverlesschat.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Execution environments that are real processes (a shell bootstrap speaking the Runtime API with curl), called as the gateway calls them. */
class ZipExecutionEnvironmentTest {

    /** A few seconds here; minutes on a machine loaded by others, where each of the script's processes waits for a core. */
    private static final Duration WAIT = Duration.ofMinutes(5);

    /**
     * The direct path from the gateway to a zip function: 200 events at once, each answered by the function
     * with its own event, none lost (what an HTTP/2 hop once lost beyond 100 at once; HttpFunctionTest).
     */
    @Test
    void twoHundredEventsAtOnceAreEachAnsweredByTheFunction(@TempDir Path taskRoot) throws Exception {
        Path bootstrap = taskRoot.resolve("bootstrap");
        Files.writeString(bootstrap, """
                #!/bin/sh
                set -eu
                api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
                headers=$(mktemp)
                while true; do
                  event=$(curl -sS -D "$headers" "$api/next")
                  id=$(sed -n 's/^lambda-runtime-aws-request-id: *\\([^[:space:]]*\\).*/\\1/Ip' "$headers")
                  curl -sS -X POST --data-binary "$event" "$api/$id/response" >/dev/null
                done
                """);
        assertTrue(bootstrap.toFile().setExecutable(true));
        List<String> lines = new CopyOnWriteArrayList<>();
        try (EnvironmentPool function = new EnvironmentPool("echo", 2, EnvironmentPool.OverLimit.QUEUE,
                number -> ZipExecutionEnvironment.start(FunctionLauncher.of(FunctionZip.Kind.NATIVE, taskRoot)
                        .output(taskRoot.resolve("echo-" + number + ".log")), "echo", Duration.ofSeconds(3)), lines::add)) {
            function.warmUp().get(60, TimeUnit.SECONDS);
            List<CompletableFuture<InvokeResult>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                answers.add(function.invoke("{\"n\":" + i + "}", WAIT));
            }
            for (int i = 0; i < 200; i++) {
                assertEquals(new InvokeResult.Payload("{\"n\":" + i + "}"), answers.get(i).get(WAIT.toSeconds() + 30, TimeUnit.SECONDS), lines.toString());
            }
            assertEquals(2, function.peak(), "both environments served: " + lines);
        }
    }
}
