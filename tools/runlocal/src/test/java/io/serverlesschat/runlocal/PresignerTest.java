package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.apigateway.SigV4Handshake;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class PresignerTest {

    @Test
    void defaultsToBinLocalsUrlForFiveMinutes() {
        PresignOptions options = PresignOptions.parse();
        assertEquals(URI.create("ws://localhost:3001/dev"), options.url());
        assertEquals(Duration.ofMinutes(5), options.expires());
        assertEquals(Duration.ofHours(1), PresignOptions.parse("--expires", "3600", "ws://localhost:4000/dev").expires());
    }

    @Test
    void refusesWhatItCannotPresign() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PresignOptions.parse("--expires", "604801"))
                .getMessage().contains("604800"));
        assertThrows(IllegalArgumentException.class, () -> PresignOptions.parse("--expires"));
        assertThrows(IllegalArgumentException.class, () -> PresignOptions.parse("--expires", "soon"));
        assertThrows(IllegalArgumentException.class, () -> PresignOptions.parse("http://localhost:3001/dev"));
        assertThrows(IllegalArgumentException.class, () -> PresignOptions.parse("--region", "us-east-1"));
    }

    @Test
    void keepsTheSchemeAndQueryAndAddsTheSignature() {
        Clock clock = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);
        String url = Presigner.presign(PresignOptions.parse("wss://localhost:3001/dev?room=general"), SigV4Handshake.LOCAL,
                "eu-west-1", clock).toString();
        assertTrue(url.startsWith("wss://localhost:3001/dev?"), url);
        assertTrue(url.contains("room=general"), url);
        assertTrue(url.contains("X-Amz-Credential=local%2F20261206%2Feu-west-1%2Fexecute-api%2Faws4_request"), url);
        assertTrue(url.contains("X-Amz-Date=20261206T100000Z"), url);
        assertTrue(url.contains("X-Amz-Expires=300"), url);
        assertTrue(url.matches(".*X-Amz-Signature=[0-9a-f]{64}.*"), url);
    }
}
