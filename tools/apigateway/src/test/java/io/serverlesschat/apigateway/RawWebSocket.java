package io.serverlesschat.apigateway;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client on a bare TCP socket, for what the JDK's client will not do: send one frame as
 * large as it likes, and vanish without a close frame (a TCP reset).
 */
final class RawWebSocket implements AutoCloseable {

    static final int TEXT = 1;
    static final int CLOSE = 8;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawWebSocket(int port, String path) throws IOException {
        this(port, path, null);
    }

    /** @param eager a text message sent right behind the handshake, before its answer is read (as a hasty client may) */
    RawWebSocket(int port, String path, String eager) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        if (eager != null) {
            send(TEXT, eager.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            head.write(in.readUnsignedByte());
        }
        if (!head.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + head);
        }
    }

    /** One final frame, masked as a client's must be. */
    void send(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >> shift) & 0xff);
            }
        }
        byte[] mask = {1, 2, 3, 4};
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next message, as text. */
    String nextText() throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int first = in.readUnsignedByte();
            byte[] payload = payload();
            if ((first & 0x0f) < CLOSE) {
                message.writeBytes(payload);
                if ((first & 0x80) != 0) {
                    return message.toString(StandardCharsets.UTF_8);
                }
            }
        }
    }

    /** The payload sizes of the frames of the next message (control frames skipped). */
    java.util.List<Integer> nextMessageFrames() throws IOException {
        java.util.List<Integer> sizes = new java.util.ArrayList<>();
        while (true) {
            int first = in.readUnsignedByte();
            int opcode = first & 0x0f;
            byte[] payload = payload();
            if (opcode < CLOSE) {
                sizes.add(payload.length);
                if ((first & 0x80) != 0) {
                    return sizes;
                }
            }
        }
    }

    private byte[] payload() throws IOException {
        long length = in.readUnsignedByte() & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return payload;
    }

    /** Reads frames until a close frame; its status code. */
    int awaitCloseStatus() throws IOException {
        while (true) {
            int opcode = in.readUnsignedByte() & 0x0f;
            byte[] payload = payload();
            if (opcode == CLOSE) {
                return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
            }
        }
    }

    /** Drops the connection with a TCP reset: no close frame, no FIN, as a killed process or a lost network may. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
