package io.serverlesschat.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;

/**
 * The sendmessage route, the chat's broadcast, as in the original workshop: take the message's {@code data}
 * ({@code {"action":"sendmessage","data":"hi"}}), post it to every connection the table records (the sender's
 * too) through API Gateway's @connections API, and forget the connections that are gone (410). Selected with
 * QUARKUS_LAMBDA_HANDLER=sendmessage, from the same function.zip as $connect; its clients, threads and JSON
 * reader are made by {@link #start()}, in its own function only.
 * <p>
 * Bounded: each post by its timeout, at most {@code concurrency} posts at once, the whole broadcast by its
 * timeout. Any post that neither reached its connection nor found it gone makes the answer 500.
 */
@Named(SendMessageHandler.NAME)
@Singleton
public class SendMessageHandler extends RouteHandler {

    /** Its QUARKUS_LAMBDA_HANDLER name, and its route key. */
    static final String NAME = "sendmessage";

    private final SendMessageSettings settings;
    // Made by start(), only in the sendmessage route's function.
    private ConnectionsApiClients connections;
    private ExecutorService posts;
    private ObjectMapper json;

    SendMessageHandler(ConnectionTable table, SendMessageSettings settings) {
        super(table, NAME, "Data sent.", "Failed to send.");
        this.settings = settings;
    }

    @Override
    public void start() {
        super.start();
        if (settings.concurrency() < 1) {
            throw new IllegalStateException("SENDMESSAGE_CONCURRENCY: at least 1, not " + settings.concurrency());
        }
        connections = new ConnectionsApiClients(settings.connectionsEndpoint().orElse(null), settings.postTimeout(),
                table.clientConfiguration());
        AtomicInteger threads = new AtomicInteger();
        posts = Executors.newFixedThreadPool(settings.concurrency(), task -> {
            Thread thread = new Thread(task, "sendmessage-post-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        json = new ObjectMapper();
    }

    @Override
    void handle(GatewayEvent event) {
        Connection.connectionIdOf(event, NAME);
        SdkBytes data = SdkBytes.fromUtf8String(dataOf(event.getBody()));
        URI endpoint = connections.endpointFor(event);
        long deadline = System.nanoTime() + settings.timeout().toNanos();

        List<Future<String>> sent = new ArrayList<>();
        table.forEachConnectionId(id -> sent.add(posts.submit(() -> post(endpoint, id, data))));

        int delivered = 0;
        int gone = 0;
        int failed = 0;
        String firstFailure = null;
        for (Future<String> post : sent) {
            String outcome;
            try {
                outcome = post.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                post.cancel(true);
                outcome = "BroadcastTimeout";
            } catch (ExecutionException e) {
                outcome = e.getCause().getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                post.cancel(true);
                outcome = "Interrupted";
            }
            switch (outcome) {
                case SENT -> delivered++;
                case GONE -> gone++;
                default -> {
                    failed++;
                    firstFailure = firstFailure == null ? outcome : firstFailure;
                }
            }
        }
        if (failed > 0) {
            throw new BroadcastFailure("sent to " + delivered + " of " + sent.size() + " connection(s), " + gone
                    + " gone, " + failed + " failed (first: " + firstFailure + ")", firstFailure);
        }
    }

    private static final String SENT = "sent";
    private static final String GONE = "gone";

    /**
     * One connection's post: {@code sent}, {@code gone} (410: its item is deleted), or what went wrong in a word
     * (the API's error code, or the client's exception: a timeout, no answer).
     */
    private String post(URI endpoint, String connectionId, SdkBytes data) {
        try {
            connections.post(endpoint, connectionId, data);
            return SENT;
        } catch (GoneException e) {
            try {
                table.delete(connectionId);
                return GONE;
            } catch (TableFailure f) {
                return f.code();
            }
        } catch (AwsServiceException e) {
            return e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null ? e.awsErrorDetails().errorCode()
                    : "HTTP" + e.statusCode();
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }

    /** The message's {@code data}, a string. */
    private String dataOf(String body) {
        JsonNode message;
        try {
            message = body == null ? null : json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new RejectedEvent("the message is not JSON");
        }
        JsonNode data = message == null ? null : message.get("data");
        if (data == null || !data.isTextual()) {
            throw new RejectedEvent("the message has no \"data\" string, as in {\"action\":\"" + NAME + "\",\"data\":\"hi\"}");
        }
        return data.textValue();
    }
}
