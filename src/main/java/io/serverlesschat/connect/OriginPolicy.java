package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which browser pages may open a connection. Browsers send the page's origin on the handshake and
 * API Gateway does not check it, so without this any page on the web can connect on its visitors'
 * behalf (cross-site WebSocket hijacking). Origins are compared exactly, scheme, host and port, after
 * the normalisation browsers apply themselves (lower-case scheme and host, no default port), never
 * by prefix: {@code https://chat.example.com.evil.net} is another site. Clients that are not
 * browsers send no Origin, or any they like: this guards browsers' users, it does not authenticate.
 */
public final class OriginPolicy {

    /**
     * scheme "://" host [":" port] ["/"]; the host is a DNS name (browsers send IDNs as punycode), an
     * IPv4 address or a bracketed IPv6 one. No wildcards: "*" is not a host.
     */
    private static final Pattern ORIGIN = Pattern.compile(
            "([A-Za-z][A-Za-z0-9+.-]*)://(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+)(?::([0-9]{1,5}))?/?");
    private static final Map<String, String> DEFAULT_PORTS = Map.of("http", "80", "https", "443", "ws", "80", "wss", "443");
    private static final int MAX_QUOTED = 100;

    private final Set<String> allowed;
    private final boolean requireOrigin;

    private OriginPolicy(Set<String> allowed, boolean requireOrigin) {
        this.allowed = Set.copyOf(allowed);
        this.requireOrigin = requireOrigin;
    }

    /**
     * @param allowedOrigins comma-separated origins such as {@code https://chat.example.com}; blank: any
     * @param requireOrigin whether a handshake without an Origin is refused
     * @throws IllegalArgumentException naming the first entry that is not an origin
     */
    public static OriginPolicy of(String allowedOrigins, boolean requireOrigin) {
        Set<String> allowed = new LinkedHashSet<>();
        for (String entry : (allowedOrigins == null ? "" : allowedOrigins).split(",")) {
            String origin = entry.strip();
            if (origin.isEmpty()) {
                continue;
            }
            String normalised = normalise(origin);
            if (normalised == null) {
                throw new IllegalArgumentException("ALLOWED_ORIGINS: " + quoted(origin)
                        + " is not an origin (scheme://host[:port], e.g. https://chat.example.com)");
            }
            allowed.add(normalised);
        }
        return new OriginPolicy(allowed, requireOrigin);
    }

    /** Whether any origin may connect (ALLOWED_ORIGINS empty, as in the original lab). */
    public boolean allowsAnyOrigin() {
        return allowed.isEmpty();
    }

    /** Refuses a handshake from a page that may not connect: see {@link #refusal(List)}. */
    public void check(APIGatewayV2WebSocketEvent event) {
        String refusal = refusal(originsOf(event));
        if (refusal != null) {
            throw new RefusedOrigin(refusal);
        }
    }

    /**
     * Why a handshake that carries these Origin values is refused, or null if it may connect: every
     * value must be allowed, and none at all is refused only when an Origin is required.
     */
    public String refusal(List<String> origins) {
        if (origins.isEmpty()) {
            return requireOrigin ? "no Origin header, and REQUIRE_ORIGIN is true" : null;
        }
        for (String origin : origins) {
            String normalised = normalise(origin);
            if (!allowsAnyOrigin() && (normalised == null || !allowed.contains(normalised))) {
                return "Origin " + quoted(origin) + " is not in ALLOWED_ORIGINS";
            }
        }
        return null;
    }

    /** Every Origin value of the handshake: header names are case-insensitive, in either map of the event. */
    public static List<String> originsOf(APIGatewayV2WebSocketEvent event) {
        Set<String> values = new LinkedHashSet<>();
        if (event != null && event.getHeaders() != null) {
            event.getHeaders().forEach((name, value) -> {
                if ("origin".equalsIgnoreCase(name) && value != null) {
                    values.add(value);
                }
            });
        }
        if (event != null && event.getMultiValueHeaders() != null) {
            event.getMultiValueHeaders().forEach((name, list) -> {
                if ("origin".equalsIgnoreCase(name) && list != null) {
                    list.stream().filter(v -> v != null).forEach(values::add);
                }
            });
        }
        return new ArrayList<>(values);
    }

    /**
     * An origin as browsers serialise it (lower-case scheme and host, no default port, no trailing
     * slash), or null if the value is not one: {@code null} (an opaque origin), a path, user info...
     */
    static String normalise(String origin) {
        Matcher m = ORIGIN.matcher(origin.strip());
        if (!m.matches()) {
            return null;
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        String host = m.group(2).toLowerCase(Locale.ROOT);
        String port = m.group(3);
        if (port != null) {
            int number = Integer.parseInt(port);
            if (number < 1 || number > 65_535) {
                return null;
            }
            port = Integer.toString(number);
            if (port.equals(DEFAULT_PORTS.get(scheme))) {
                port = null;
            }
        }
        return scheme + "://" + host + (port == null ? "" : ":" + port);
    }

    /** The value for a log line: quoted and cut short, since it comes from the client. */
    static String quoted(String value) {
        return '"' + (value.length() <= MAX_QUOTED ? value : value.substring(0, MAX_QUOTED) + "...") + '"';
    }
}
