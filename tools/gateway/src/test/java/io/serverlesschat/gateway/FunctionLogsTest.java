package io.serverlesschat.gateway;

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

    @Test
    void aJsonRecordReadsLikeDevModesLine() {
        String json = "{\"timestamp\":\"" + TIMESTAMP + "\",\"loggerName\":\"io.serverlesschat.connect.ConnectHandler\","
                + "\"level\":\"INFO\",\"message\":\"$disconnect 200 ok in 6 ms\",\"threadName\":\"main\","
                + "\"mdc\":{\"latencyMs\":\"6\",\"status\":\"200\",\"connectionId\":\"LSVtDSx20rqHQ+s=\"}}";
        assertEquals(LOCAL_TIME + " INFO  [io.se.co.ConnectHandler] $disconnect 200 ok in 6 ms"
                + " {connectionId=LSVtDSx20rqHQ+s=, latencyMs=6, status=200}", FunctionLogs.render(json));
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
