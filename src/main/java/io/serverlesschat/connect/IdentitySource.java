package io.serverlesschat.connect;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the handshake carries its token, written as the authorizer's identity source in API Gateway
 * ({@code route.request.querystring.token}, {@code route.request.header.Authorization}), so that the
 * function reads it where API Gateway checked it is present.
 */
record IdentitySource(String expression, boolean header, String name) {

    private static final Pattern EXPRESSION = Pattern.compile("route\\.request\\.(querystring|header)\\.([A-Za-z0-9._-]+)");
    private static final String BEARER = "bearer ";

    /** @throws IllegalArgumentException naming JWT_IDENTITY_SOURCE when the expression is not one of the two forms */
    static IdentitySource parse(String expression) {
        Matcher m = EXPRESSION.matcher(expression == null ? "" : expression.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("JWT_IDENTITY_SOURCE: \"" + expression + "\" is not route.request.querystring.NAME"
                    + " or route.request.header.NAME");
        }
        return new IdentitySource(m.group(), m.group(1).equals("header"), m.group(2));
    }

    /** The token, or null when the handshake carries none; a header's "Bearer " prefix is left out. */
    String tokenOf(GatewayEvent event) {
        String value = header ? headerOf(event.getHeaders()) : valueOf(event.getQueryStringParameters(), name);
        if (value != null && header && value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            value = value.substring(BEARER.length());
        }
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** Header names are case-insensitive; API Gateway keeps the client's spelling. */
    private String headerOf(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        String wanted = name.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey() != null && header.getKey().toLowerCase(Locale.ROOT).equals(wanted)) {
                return header.getValue();
            }
        }
        return null;
    }

    private static String valueOf(Map<String, String> parameters, String name) {
        return parameters == null ? null : parameters.get(name);
    }

    @Override
    public String toString() {
        return expression;
    }
}
