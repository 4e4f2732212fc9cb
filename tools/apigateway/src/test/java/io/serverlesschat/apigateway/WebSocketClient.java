package io.serverlesschat.apigateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (the JDK's) that keeps what it receives: whole messages, and how it was closed.
 * Public for the tests of bin/local (tools/runlocal), which connect through its whole stack.
 */
public final class WebSocketClient implements WebSocket.Listener {

    /** A message as received: text, or binary bytes. */
    public record Message(String text, byte[] binary) {
    }

    /** The close frame the gateway sent. */
    public record Closed(int statusCode, String reason) {
    }

    public final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    public final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();
    public WebSocket socket;

    public static CompletableFuture<WebSocketClient> connect(HttpClient http, URI url) {
        WebSocketClient client = new WebSocketClient();
        return http.newWebSocketBuilder().buildAsync(url, client).thenApply(socket -> {
            client.socket = socket;
            return client;
        });
    }

    public static WebSocketClient open(HttpClient http, URI url) {
        return connect(http, url).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            messages.add(new Message(text.toString(), null));
            text.setLength(0);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        binary.writeBytes(bytes);
        if (last) {
            messages.add(new Message(null, binary.toByteArray()));
            binary.reset();
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        closed.complete(new Closed(-1, String.valueOf(error)));
    }

    public Message next() throws InterruptedException {
        Message message = messages.poll(10, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("the client received no message within 10 s");
        }
        return message;
    }

    public String nextText() throws InterruptedException {
        Message message = next();
        if (message.text() == null) {
            throw new AssertionError("a binary message where a text was expected");
        }
        return message.text();
    }

    public boolean receivedNothingMore() throws InterruptedException {
        return messages.poll(500, TimeUnit.MILLISECONDS) == null;
    }

    public Closed awaitClose() throws Exception {
        return closed.get(30, TimeUnit.SECONDS);
    }
}
