package io.serverlesschat.runlocal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * bin/token's options, as its command line gives them.
 *
 * @param user     the token's subject ({@code sub}): the authorizer's principalId, the item's userId
 * @param name     its user name ({@code preferred_username}); the user when not given
 * @param email    its e-mail, or null
 * @param expires  how long it is valid from now
 * @param audience its {@code aud}; null: the local issuer's
 */
record TokenOptions(String user, String name, String email, Duration expires, String audience) {

    static final String USAGE = """
            usage: bin/token USER [--name NAME] [--email ADDRESS] [--expires 1h] [--audience AUDIENCE]
              Prints a JSON Web Token for USER (its subject) signed by the local issuer of
              bin/local --parameter ConnectAuthorization=JWT, which its authorizer accepts:
                npx wscat -c "ws://localhost:3001/dev?token=$(bin/token alice)"
              --name      the user's name (preferred_username; the connection's userName), USER by default
              --email     the user's e-mail
              --expires   how long the token is valid: 30s, 15m, 1h (default), 7d
              --audience  its aud (default: the local issuer's, JwtAudience or "local"); another one is refused (403)""";

    /** Subjects longer than OpenID Connect's 255 characters are denied by the authorizer. */
    private static final int MAX_SUBJECT = 255;
    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,6})(s|m|h|d)");

    static TokenOptions parse(String[] args) {
        String user = null;
        String name = null;
        String email = null;
        Duration expires = Duration.ofHours(1);
        String audience = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--name" -> name = value(args, ++i, option);
                case "--email" -> email = value(args, ++i, option);
                case "--expires" -> expires = duration(value(args, ++i, option));
                case "--audience" -> audience = value(args, ++i, option);
                default -> {
                    if (option.startsWith("-") || user != null) {
                        throw new IllegalArgumentException(option.startsWith("-") ? "unknown option " + option
                                : "one user only, not " + user + " and " + option);
                    }
                    user = option;
                }
            }
        }
        if (user == null || user.isBlank() || user.length() > MAX_SUBJECT) {
            throw new IllegalArgumentException("give the user the token is for (1 to " + MAX_SUBJECT + " characters), e.g. bin/token alice");
        }
        return new TokenOptions(user, name == null ? user : name, email, expires, audience);
    }

    private static Duration duration(String value) {
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("--expires takes a duration such as 30s, 15m, 1h or 7d, not " + value);
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
