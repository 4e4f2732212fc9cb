package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.apigateway.Limits;
import io.serverlesschat.apigateway.WebSocketClient;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * API Gateway's idle timeout and maximum connection duration, shortened on bin/local's command line
 * (--idle-timeout, --max-duration) and run end to end: the whole stack from the zip, a real moto, real
 * clients. Each connection AWS would close is closed with 1001, its $disconnect answered 200, its item gone.
 */
class RunLocalLimitsTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();

    @Test
    void anIdleConnectionAndAnOldOneAreClosedAndTheirItemsRemoved() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        LocalOptions options = LocalOptions.parse(new String[] {"--function", "zip", "--port", "0", "--dynamodb-port", "0",
                "--idle-timeout", "3s", "--max-duration", "8s"}, PROJECT);
        try (RunLocal local = RunLocal.start(options, lines::add)) {
            assertTrue(ReadyBanner.of(local).contains("Limits:     a connection idle for 3 s is closed, any connection after 8 s"
                    + " (shortened: API Gateway's are 10 min and 2 h)"), ReadyBanner.of(local));
            HttpClient http = HttpClient.newHttpClient();
            long opened = System.nanoTime();
            WebSocketClient idle = WebSocketClient.open(http, local.url());
            WebSocketClient talking = WebSocketClient.open(http, local.url());
            await(() -> items(local) == 2, "both connections recorded");

            // One says something every 200 ms (answered Forbidden: traffic both ways); the other says nothing.
            boolean talkingOutlivedIdle = false;
            while (!talking.closed.isDone() && System.nanoTime() - opened < Duration.ofSeconds(60).toNanos()) {
                talking.socket.sendText("{\"action\":\"ping\"}", true);
                Thread.sleep(200);
                talkingOutlivedIdle |= idle.closed.isDone() && !talking.closed.isDone();
            }
            assertTrue(talkingOutlivedIdle, "the talking client outlives the idle one");
            assertEquals(new WebSocketClient.Closed(1001, "Going away"), idle.awaitClose(), "closed idle");
            assertEquals(new WebSocketClient.Closed(1001, "Going away"), talking.awaitClose(), "closed at the maximum duration");
            assertTrue(System.nanoTime() - opened >= Duration.ofSeconds(8).toNanos(), "not before the maximum duration");

            await(() -> lines.stream().filter(l -> l.startsWith("$disconnect") && l.contains("(1001 Going away) -> 200 in ")).count() == 2,
                    "both $disconnects answered 200: " + lines);
            await(() -> items(local) == 0, "both items removed");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--idle-timeout|11m|--idle-timeout takes a duration from 1s up to API Gateway's 10m (which cannot be raised), such as 30s, 2m or 10m, not 11m",
        "--idle-timeout|1h|--idle-timeout takes a duration from 1s up to API Gateway's 10m (which cannot be raised), such as 30s, 2m or 10m, not 1h",
        "--max-duration|3h|--max-duration takes a duration from 1s up to API Gateway's 2h (which cannot be raised), such as 30s, 5m or 1h, not 3h",
        "--idle-timeout|30|--idle-timeout takes a duration from 1s up to API Gateway's 10m (which cannot be raised), such as 30s, 2m or 10m, not 30",
        "--max-duration|0s|--max-duration takes a duration from 1s up to API Gateway's 2h (which cannot be raised), such as 30s, 5m or 1h, not 0s"})
    void aLimitLongerThanApiGatewaysOrWithoutAUnitIsRefused(String option, String value, String message) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> LocalOptions.parse(new String[] {option, value}, PROJECT));
        assertEquals(message, refused.getMessage());
    }

    /** Every example a refusal gives is itself accepted by that option (it once offered 1h for the 10-minute idle timeout). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"--idle-timeout|11m", "--max-duration|3h"})
    void theExamplesOfARefusalAreAccepted(String option, String value) {
        String message = assertThrows(IllegalArgumentException.class, () -> LocalOptions.parse(new String[] {option, value}, PROJECT))
                .getMessage();
        String examples = message.substring(message.indexOf("such as ") + "such as ".length(), message.lastIndexOf(", not "));
        for (String example : examples.split(", | or ")) {
            assertDoesNotThrow(() -> LocalOptions.parse(new String[] {option, example}, PROJECT), option + " " + example);
        }
    }

    @Test
    void anHourIsAcceptedWhereApiGatewaysLimitAllowsIt() {
        assertEquals(Duration.ofHours(1), LocalOptions.parse(new String[] {"--max-duration", "1h"}, PROJECT).limits().maxDuration());
    }

    @Test
    void withoutTheOptionsTheLimitsAreApiGateways() {
        assertEquals(Limits.AWS, LocalOptions.parse(new String[0], PROJECT).limits());
        assertEquals(new Limits(Duration.ofMinutes(10), Duration.ofMinutes(90)),
                LocalOptions.parse(new String[] {"--idle-timeout", "10m", "--max-duration", "90m"}, PROJECT).limits());
    }

    private static int items(RunLocal local) {
        return local.dynamo().client().scan(s -> s.tableName(RunLocal.TABLE).consistentRead(true)).count();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (not within 60 s)");
            Thread.sleep(100);
        }
    }
}
