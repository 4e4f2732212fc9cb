package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The zip's JSON log lines, shown as dev mode shows its own (quarkus.log.console.format in application.properties). */
class FunctionLogsTest {

    private static final String TIMESTAMP = "2026-12-03T07:36:04.35636902Z";
    private static final String LOCAL_TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault())
            .format(Instant.parse(TIMESTAMP));

    /** After a failed start, what the other functions write as they are stopped stays off the console. */
    @Test
    void onceQuietNoLineReachesTheConsole() {
        List<String> console = new ArrayList<>();
        FunctionLogs logs = new FunctionLogs(console::add, true);
        logs.show("OnDisconnectFunction 1", "started");
        logs.quiet();
        logs.show("OnDisconnectFunction 1", "ERROR Running a shutdown task failed");
        assertEquals(List.of("[OnDisconnectFunction 1] started"), console);
    }

    @Test
    void aJsonRecordReadsLikeDevModesLine() {
        String json = "{\"timestamp\":\"" + TIMESTAMP + "\",\"loggerName\":\"io.serverlesschat.connect.ConnectHandler\","
                + "\"level\":\"INFO\",\"message\":\"$disconnect 200 ok in 6 ms\",\"threadName\":\"main\","
                + "\"mdc\":{\"latencyMs\":\"6\",\"status\":\"200\",\"connectionId\":\"LSVtDSx20rqHQ+s=\"}}";
        assertEquals(LOCAL_TIME + " INFO  [io.se.co.ConnectHandler] $disconnect 200 ok in 6 ms"
                + " {connectionId=LSVtDSx20rqHQ+s=, latencyMs=6, status=200}", FunctionLogs.render(json));
    }

    /**
     * The function's invocation line as the zip writes it (InvocationLog: its fields at the top level, EMF
     * metric members after them). Before, it was shown with an empty MDC: "$disconnect 200 ok in 36 ms {}".
     */
    @Test
    void theInvocationLinesFieldsAreShownAsDevModeShowsThemWithoutTheMetrics() {
        String json = "{\"timestamp\":\"" + TIMESTAMP + "\",\"level\":\"INFO\",\"loggerName\":\"io.serverlesschat.connect\","
                + "\"message\":\"$disconnect 200 ok in 36 ms\",\"AWSRequestId\":\"599ac207\",\"connectionId\":\"Go-jP_tJGvmjf7U=\","
                + "\"routeKey\":\"$disconnect\",\"route\":\"$disconnect\",\"status\":200,\"outcome\":\"ok\",\"latencyMs\":36,"
                + "\"coldStart\":true,\"functionName\":\"OnDisconnectFunction\",\"memoryMb\":256,\"_aws\":{\"Timestamp\":1796288026012,"
                + "\"CloudWatchMetrics\":[{\"Namespace\":\"ServerlessChat\",\"Dimensions\":[[\"route\",\"functionName\"]],"
                + "\"Metrics\":[{\"Name\":\"Disconnected\",\"Unit\":\"Count\"},{\"Name\":\"Rejected\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"Failed\",\"Unit\":\"Count\"},{\"Name\":\"Latency\",\"Unit\":\"Milliseconds\"},"
                + "{\"Name\":\"ColdStarts\",\"Unit\":\"Count\"}]}]},\"Disconnected\":1,\"Rejected\":0,\"Failed\":0,\"Latency\":36,"
                + "\"ColdStarts\":1}";
        assertEquals(LOCAL_TIME + " INFO  [io.se.connect] $disconnect 200 ok in 36 ms {AWSRequestId=599ac207,"
                + " coldStart=true, connectionId=Go-jP_tJGvmjf7U=, functionName=OnDisconnectFunction, latencyMs=36, memoryMb=256,"
                + " outcome=ok, route=$disconnect, routeKey=$disconnect, status=200}", FunctionLogs.render(json));
    }

    @Test
    void theInvocationLinesStackTraceIsItsExceptionsAndCausesFirstLines() {
        String json = "{\"timestamp\":\"" + TIMESTAMP + "\",\"level\":\"ERROR\",\"loggerName\":\"io.serverlesschat.connect\","
                + "\"message\":\"$connect 500 failed in 3 ms\",\"status\":500,\"stackTrace\":\"java.lang.IllegalStateException: boom\\n"
                + "\\tat a.B.c(B.java:1)\\nCaused by: java.io.IOException: gone\\n\\t... 3 more\\n\"}";
        assertEquals(LOCAL_TIME + " ERROR [io.se.connect] $connect 500 failed in 3 ms {status=500}:"
                + " java.lang.IllegalStateException: boom Caused by: java.io.IOException: gone", FunctionLogs.render(json));
    }

    @Test
    void anExceptionIsItsTypeAndMessageAndThoseOfItsCauses() {
        String json = "{\"timestamp\":\"" + TIMESTAMP + "\",\"loggerName\":\"io.quarkus.runtime.Application\",\"level\":\"ERROR\","
                + "\"message\":\"Failed to start application\",\"mdc\":{},\"exception\":{\"refId\":1,"
                + "\"exceptionType\":\"java.lang.RuntimeException\",\"message\":\"Failed to start quarkus\",\"frames\":[],"
                + "\"causedBy\":{\"exception\":{\"refId\":2,\"exceptionType\":\"java.lang.IllegalArgumentException\","
                + "\"message\":\"ALLOWED_ORIGINS: bad\",\"frames\":[]}}}}";
        assertEquals(LOCAL_TIME + " ERROR [io.qu.ru.Application] Failed to start application {}: java.lang.RuntimeException:"
                + " Failed to start quarkus Caused by: java.lang.IllegalArgumentException: ALLOWED_ORIGINS: bad", FunctionLogs.render(json));
    }

    @Test
    void linesThatAreNotLogRecordsPassAsTheyAre() {
        for (String line : List.of("\tat io.quarkus.runtime.Quarkus.manualInitialize(Quarkus.java:263)", "{not json",
                "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[]},\"ConnectLatency\":6}", "")) {
            assertEquals(line, FunctionLogs.render(line));
        }
    }

    @Test
    void rawLinesAreShownAsWrittenWithTheirFunctionsName() {
        List<String> console = new ArrayList<>();
        String json = "{\"timestamp\":\"" + TIMESTAMP + "\",\"loggerName\":\"io.quarkus\",\"level\":\"INFO\",\"message\":\"started\"}";
        new FunctionLogs(console::add, true).show("OnConnectFunction 1", json);
        new FunctionLogs(console::add, false).show("OnConnectFunction 1", json);
        assertEquals(List.of("[OnConnectFunction 1] " + json, "[OnConnectFunction 1] " + LOCAL_TIME + " INFO  [io.quarkus] started {}"),
                console);
    }

    @Test
    void categoriesAreShortenedAsDevModeShortensThem() {
        assertEquals("io.se.de.LocalDynamoDbDevService", FunctionLogs.category("io.serverlesschat.dev.LocalDynamoDbDevService"));
        assertEquals("io.quarkus", FunctionLogs.category("io.quarkus"));
        assertEquals("Main", FunctionLogs.category("Main"));
    }
}
