package io.serverlesschat.runlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenOptionsTest {

    @Test
    void aUserAloneIsAnHourLongTokenUnderItsOwnName() {
        assertEquals(new TokenOptions("alice", "alice", null, Duration.ofHours(1), null), TokenOptions.parse(new String[] {"alice"}));
    }

    @Test
    void optionsSetNameEmailLifetimeAndAudience() {
        assertEquals(new TokenOptions("u-1", "Alice", "alice@example.com", Duration.ofMinutes(15), "app"),
                TokenOptions.parse(new String[] {"--name", "Alice", "u-1", "--email", "alice@example.com", "--expires", "15m",
                        "--audience", "app"}));
        assertEquals(Duration.ofDays(7), TokenOptions.parse(new String[] {"bob", "--expires", "7d"}).expires());
    }

    @Test
    void badInputIsAUsageErrorThatSaysWhy() {
        assertEquals("give the user the token is for (1 to 255 characters), e.g. bin/token alice",
                assertThrows(IllegalArgumentException.class, () -> TokenOptions.parse(new String[0])).getMessage());
        assertEquals("--expires takes a duration such as 30s, 15m, 1h or 7d, not 1y",
                assertThrows(IllegalArgumentException.class, () -> TokenOptions.parse(new String[] {"a", "--expires", "1y"})).getMessage());
        assertEquals("one user only, not a and b",
                assertThrows(IllegalArgumentException.class, () -> TokenOptions.parse(new String[] {"a", "b"})).getMessage());
        assertEquals("unknown option --bogus",
                assertThrows(IllegalArgumentException.class, () -> TokenOptions.parse(new String[] {"a", "--bogus"})).getMessage());
        assertEquals("--name needs a value",
                assertThrows(IllegalArgumentException.class, () -> TokenOptions.parse(new String[] {"a", "--name"})).getMessage());
    }
}
