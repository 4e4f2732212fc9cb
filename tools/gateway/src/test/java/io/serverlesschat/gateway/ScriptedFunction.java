package io.serverlesschat.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for a Runtime API emulator with a function behind it, for tests of the gateway alone:
 * records every event POSTed to /_lambda_ and answers with a chosen statusCode and body, or with the
 * emulator's 500 for a function that failed.
 */
final class ScriptedFunction implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private volatile int statusCode = 200;
    private volatile String body = "scripted";

    ScriptedFunction() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/_lambda_", exchange -> {
            events.add(JSON.readTree(exchange.getRequestBody()));
            boolean failed = statusCode < 0;
            byte[] answer = (failed ? "{\"errorMessage\":\"boom\",\"errorType\":\"java.lang.IllegalStateException\"}"
                    : JSON.createObjectNode().put("statusCode", statusCode).put("body", body).toString())
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(failed ? 500 : 200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    FunctionEndpoint endpoint() {
        return new FunctionEndpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/_lambda_"));
    }

    void answer(int statusCode) {
        this.statusCode = statusCode;
    }

    void answer(int statusCode, String body) {
        this.statusCode = statusCode;
        this.body = body;
    }

    /** The function throws: the Runtime API answers its error document with 500. */
    void fail() {
        this.statusCode = -1;
    }

    JsonNode nextEvent() throws InterruptedException {
        JsonNode event = events.poll(5, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("the function received no event within 5 s");
        }
        return event;
    }

    boolean receivedNothingMore() throws InterruptedException {
        return events.poll(300, TimeUnit.MILLISECONDS) == null;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
