package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.apigateway.WebSocketClient;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The sendmessage route end to end, as `bin/local --function zip --parameter SendMessageRoute=true` runs it: the
 * project's template and JVM function.zip, a real moto, two WebSocket clients; one sends, both receive.
 */
class RunLocalSendMessageTest {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Test
    void aMessageToSendMessageReachesEveryConnectedClient() throws Exception {
        LocalOptions options = new LocalOptions(Path.of("../..").toAbsolutePath().normalize(), LocalOptions.Mode.ZIP, 0, 0,
                Map.of("SendMessageRoute", "true"));
        HttpClient http = HttpClient.newHttpClient();
        try (RunLocal local = RunLocal.start(options, lines::add)) {
            assertTrue(local.environmentsFor("sendmessage") != null, "the route of SendMessageRoute=true runs");
            WebSocketClient alice = WebSocketClient.open(http, local.url());
            WebSocketClient bob = WebSocketClient.open(http, local.url());
            alice.socket.sendText("{\"action\":\"sendmessage\",\"data\":\"hi\"}", true);
            assertEquals("hi", bob.nextText());
            assertEquals("hi", alice.nextText(), "the sender gets it too, as in the workshop");
            String banner = ReadyBanner.of(local);
            assertTrue(banner.contains("src/test/resources/events/sendmessage.json"), "the banner's sample event");
            assertTrue(banner.contains("\nMessages:   {\"action\":\"sendmessage\", ...} from a client goes to the route sendmessage\n"
                    + "Disconnect: "), banner);
        } catch (AssertionError | Exception e) {
            lines.forEach(System.out::println);
            throw e;
        }
    }
}
