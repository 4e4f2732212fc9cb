package io.serverlesschat.apigateway;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One WebSocket connection: its socket, what API Gateway knows of it, API Gateway's limits on it (frame and
 * message sizes, idle timeout, maximum duration), and why it was closed. It reassembles the client's frames
 * into messages and splits what is sent to it into frames; what a connection's opening, messages and end
 * mean (routes, functions) is its gateway's business ({@link Events}).
 */
final class Client implements ConnectionsApi.OpenConnection {

    /** What the gateway does as a connection opens, completes a message, and ends. */
    interface Events {
        void opened(Client client);

        void message(Client client, Buffer payload, boolean binary);

        /** The connection is gone, closed by the client ({@code why} from its close frame, if any) or by the gateway. */
        void ended(Client client, ProxyEvents.Close why);
    }

    private final Vertx vertx;
    private final ServerWebSocket socket;
    private volatile ProxyEvents.Connection connection;
    private final Limits limits;
    private final Events events;
    /** The socket's event loop: a message's frames are written there in one go, never interleaved with another's. */
    private final Context context;
    private volatile boolean isOpen;
    /** The TCP connection ended, perhaps while $connect still ran. */
    private boolean ended;
    private volatile long lastActiveAt;
    private volatile ProxyEvents.Close closing;
    private Buffer partial;
    private boolean partialBinary;
    private long maxDurationTimer = -1;
    private long idleTimer = -1;

    /** Created on the socket's event loop, in its handshake handler; listens to the socket at once. */
    Client(Vertx vertx, ServerWebSocket socket, ProxyEvents.Connection connection, Limits limits, Events events) {
        this.vertx = vertx;
        this.socket = socket;
        this.connection = connection;
        this.limits = limits;
        this.events = events;
        this.context = vertx.getOrCreateContext();
        this.lastActiveAt = connection.connectedAt();
        // Handlers first: a client may send as soon as it reads the 101.
        socket.frameHandler(this::frame);
        socket.exceptionHandler(this::failed);
        socket.closeHandler(closed -> closed());
    }

    @Override
    public ProxyEvents.Connection connection() {
        return connection;
    }

    @Override
    public long lastActiveAt() {
        return lastActiveAt;
    }

    /** Its $connect authorizer allowed it: every event of the connection carries what the authorizer answered. */
    void authorized(com.fasterxml.jackson.databind.node.ObjectNode authorizer) {
        connection = connection.withAuthorizer(authorizer);
    }

    /** Runs {@code action} on the socket's event loop, in order with its frames. */
    void onEventLoop(Runnable action) {
        context.runOnContext(v -> action.run());
    }

    /** The connection exists from now on (its handshake is accepted); call on the socket's event loop. */
    void opened() {
        isOpen = true;
        if (ended) {
            closed(); // gone while $connect recorded it: $disconnect removes it again
            return;
        }
        events.opened(this);
        maxDurationTimer = vertx.setTimer(limits.maxDuration().toMillis(), t -> close(ProxyEvents.Close.TOO_OLD));
        idleCheck(limits.idleTimeout().toMillis());
    }

    private void idleCheck(long delayMs) {
        idleTimer = vertx.setTimer(Math.max(1, delayMs), t -> {
            long idle = System.currentTimeMillis() - lastActiveAt;
            long timeout = limits.idleTimeout().toMillis();
            if (idle >= timeout) {
                close(ProxyEvents.Close.IDLE);
            } else if (isOpen) {
                idleCheck(timeout - idle);
            }
        });
    }

    /** Data frames, reassembled into messages; a message over the quota closes the connection. */
    private void frame(WebSocketFrame frame) {
        if (!isOpen || closing != null || !(frame.isText() || frame.isBinary() || frame.isContinuation())) {
            return;
        }
        if (!frame.isContinuation()) {
            partial = Buffer.buffer();
            partialBinary = frame.isBinary();
        }
        if (partial == null) {
            return; // a continuation of nothing: the codec refuses those already
        }
        partial.appendBuffer(frame.binaryData());
        if (frame.binaryData().length() > Limits.FRAME_BYTES || partial.length() > Limits.MESSAGE_BYTES) {
            partial = null;
            close(ProxyEvents.Close.TOO_BIG);
            return;
        }
        if (frame.isFinal()) {
            Buffer message = partial;
            partial = null;
            lastActiveAt = System.currentTimeMillis();
            events.message(this, message, partialBinary);
        }
    }

    /** The codec drops the connection itself when a frame is over its own limit (it sends no close frame). */
    private void failed(Throwable e) {
        if (e instanceof CorruptedWebSocketFrameException corrupted && corrupted.closeStatus().code() == 1009
                && closing == null) {
            closing = ProxyEvents.Close.TOO_BIG;
        }
    }

    /** Sends a text message to the client, in frames of at most 32 KB as API Gateway does. */
    @Override
    public CompletableFuture<Void> send(String text) {
        List<WebSocketFrame> frames = new ArrayList<>();
        int start = 0;
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > Limits.FRAME_BYTES) {
                frames.add(fragment(text.substring(start, i), frames.isEmpty(), false));
                start = i;
                bytes = 0;
            }
            bytes += size;
            i += Character.charCount(codePoint);
        }
        frames.add(fragment(text.substring(start), frames.isEmpty(), true));
        return write(frames);
    }

    /** Sends a binary message to the client, in frames of at most 32 KB. */
    @Override
    public CompletableFuture<Void> send(Buffer binary) {
        List<WebSocketFrame> frames = new ArrayList<>();
        for (int at = 0; at == 0 || at < binary.length(); at += Limits.FRAME_BYTES) {
            Buffer part = binary.slice(at, Math.min(binary.length(), at + Limits.FRAME_BYTES));
            boolean last = at + Limits.FRAME_BYTES >= binary.length();
            frames.add(at == 0 ? WebSocketFrame.binaryFrame(part, last) : WebSocketFrame.continuationFrame(part, last));
        }
        return write(frames);
    }

    private static WebSocketFrame fragment(String text, boolean first, boolean last) {
        return first ? WebSocketFrame.textFrame(text, last) : WebSocketFrame.continuationFrame(Buffer.buffer(text), last);
    }

    private CompletableFuture<Void> write(List<WebSocketFrame> frames) {
        lastActiveAt = System.currentTimeMillis();
        CompletableFuture<Void> written = new CompletableFuture<>();
        context.runOnContext(v -> {
            Future<Void> last = null;
            for (WebSocketFrame frame : frames) {
                last = socket.writeFrame(frame);
            }
            last.onComplete(done -> {
                if (done.succeeded()) {
                    written.complete(null);
                } else {
                    written.completeExceptionally(done.cause());
                }
            });
        });
        return written;
    }

    /** Whether the client reads too slowly for more (API Gateway's LimitExceededException). */
    @Override
    public boolean congested() {
        return socket.writeQueueFull();
    }

    @Override
    public void delete() {
        close(ProxyEvents.Close.DELETED);
    }

    /** Closes the client's socket, telling it (and then $disconnect) why. */
    void close(ProxyEvents.Close why) {
        if (!isOpen || closing != null) {
            return;
        }
        closing = why;
        socket.close((short) why.statusCode(), why.reason());
    }

    private void closed() {
        ended = true;
        if (!isOpen) {
            return; // the handshake was refused, or $connect still runs: the connection does not exist (yet)
        }
        isOpen = false;
        vertx.cancelTimer(maxDurationTimer);
        vertx.cancelTimer(idleTimer);
        events.ended(this, closing != null ? closing : ProxyEvents.Close.byClient(socket.closeStatusCode()));
    }
}
