package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The origin allow-list as pure logic: what matches, what does not, and what is not an origin at all. */
class OriginPolicyTest {

    private static final OriginPolicy CHAT = OriginPolicy.of("https://chat.example.com", false);

    @ParameterizedTest
    @ValueSource(strings = {
        "https://chat.example.com",
        "HTTPS://Chat.Example.COM",       // browsers lower-case scheme and host; compare as they do
        "https://chat.example.com:443",   // the default port is the same origin
        "https://chat.example.com/",
        " https://chat.example.com " })
    void allowsTheListedOriginInAnySpellingOfIt(String origin) {
        assertNull(CHAT.refusal(List.of(origin)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "https://chat.example.com.evil.net",  // the listed origin as a prefix
        "https://evil.net/https://chat.example.com",
        "https://evilchat.example.com",
        "https://sub.chat.example.com",
        "https://chat.example.co",
        "https://chat.example.com:444",
        "https://chat.example.com:8443",
        "http://chat.example.com",            // another scheme is another origin
        "wss://chat.example.com",
        "null",                               // sandboxed iframes, file:// pages
        "",
        "https://user@chat.example.com",
        "https://chat.example.com/path",
        "https://chat.example.com?x=1",
        "chat.example.com",
        "https://chat.example.com:0",
        "https://chat.example.com:99999" })
    void refusesAnythingElse(String origin) {
        String refusal = CHAT.refusal(List.of(origin));
        assertNotNull(refusal, origin);
        assertTrue(refusal.contains("not in ALLOWED_ORIGINS"), refusal);
    }

    @Test
    void everyOriginOfTheHandshakeMustBeAllowed() {
        assertNotNull(CHAT.refusal(List.of("https://chat.example.com", "https://evil.net")));
        assertNotNull(CHAT.refusal(List.of("https://evil.net", "https://chat.example.com")));
    }

    @Test
    void aListOfSeveralWithWhitespaceAndTrailingSlashesAndEmptyEntries() {
        OriginPolicy policy = OriginPolicy.of(" https://chat.example.com/ ,http://localhost:8081,, HTTPS://App.Example.org:443 ,", false);
        assertNull(policy.refusal(List.of("https://chat.example.com")));
        assertNull(policy.refusal(List.of("http://localhost:8081")));
        assertNull(policy.refusal(List.of("https://app.example.org")));
        assertNotNull(policy.refusal(List.of("http://localhost")));
        assertNotNull(policy.refusal(List.of("http://localhost:8082")));
        assertNotNull(policy.refusal(List.of("https://localhost:8081")));
    }

    @Test
    void ipAddressesAndNonDefaultSchemes() {
        OriginPolicy policy = OriginPolicy.of("http://127.0.0.1:3000,http://[::1]:3000,capacitor://localhost", false);
        assertNull(policy.refusal(List.of("http://127.0.0.1:3000")));
        assertNull(policy.refusal(List.of("http://[::1]:3000")));
        assertNull(policy.refusal(List.of("capacitor://localhost")));
        assertNotNull(policy.refusal(List.of("http://127.0.0.1:30000")));
        assertNotNull(policy.refusal(List.of("http://127.0.0.10:3000")));
    }

    @Test
    void anEmptyListAllowsEveryOriginAsTheLabDid() {
        for (String list : new String[] {"", "  ", null}) {
            OriginPolicy any = OriginPolicy.of(list, false);
            assertTrue(any.allowsAnyOrigin());
            assertNull(any.refusal(List.of("https://evil.net")));
            assertNull(any.refusal(List.of("null")));
            assertNull(any.refusal(List.of()));
        }
    }

    @Test
    void aClientWithoutOriginConnectsUnlessOneIsRequired() {
        assertNull(CHAT.refusal(List.of()));
        OriginPolicy required = OriginPolicy.of("https://chat.example.com", true);
        assertEquals("no Origin header, and REQUIRE_ORIGIN is true", required.refusal(List.of()));
        assertNull(required.refusal(List.of("https://chat.example.com")));
        OriginPolicy anyButRequired = OriginPolicy.of("", true);
        assertNotNull(anyButRequired.refusal(List.of()));
        assertNull(anyButRequired.refusal(List.of("https://anything.example")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat.example.com", "https://", "null", "https://chat.example.com/app", "*",
        "https://*.example.com", "https://chat.example.com, not an origin"})
    void aListWithSomethingThatIsNotAnOriginIsRefusedNamingIt(String list) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OriginPolicy.of(list, false));
        assertTrue(e.getMessage().startsWith("ALLOWED_ORIGINS: \""), e.getMessage());
        assertTrue(e.getMessage().contains("is not an origin"), e.getMessage());
    }

    @Test
    void findsOriginInEitherHeaderMapWhateverItsCase() {
        APIGatewayV2WebSocketEvent event = new APIGatewayV2WebSocketEvent();
        assertEquals(List.of(), OriginPolicy.originsOf(event));
        assertEquals(List.of(), OriginPolicy.originsOf(null));

        event.setHeaders(Map.of("origin", "https://chat.example.com", "Host", "x"));
        assertEquals(List.of("https://chat.example.com"), OriginPolicy.originsOf(event));

        event.setHeaders(Map.of("Host", "x"));
        event.setMultiValueHeaders(Map.of("ORIGIN", List.of("https://evil.net")));
        assertEquals(List.of("https://evil.net"), OriginPolicy.originsOf(event));

        event.setHeaders(Map.of("Origin", "https://chat.example.com"));
        event.setMultiValueHeaders(Map.of("Origin", List.of("https://chat.example.com", "https://evil.net")));
        assertEquals(List.of("https://chat.example.com", "https://evil.net"), OriginPolicy.originsOf(event));
        RefusedOrigin refused = assertThrows(RefusedOrigin.class, () -> CHAT.check(event));
        assertTrue(refused.getMessage().contains("https://evil.net"));
    }

    @Test
    void theLoggedOriginIsCutShort() {
        String longOrigin = "https://" + "a".repeat(500) + ".example";
        String refusal = CHAT.refusal(List.of(longOrigin));
        assertTrue(refusal.length() < 200, refusal);
        assertTrue(refusal.contains("...\""), refusal);
    }
}
