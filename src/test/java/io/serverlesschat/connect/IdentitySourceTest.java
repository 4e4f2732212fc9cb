package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The token is read where the identity source says API Gateway found it. */
class IdentitySourceTest {

    private static GatewayEvent event(Map<String, String> query, Map<String, String> headers) {
        GatewayEvent event = new GatewayEvent();
        event.setQueryStringParameters(query);
        event.setHeaders(headers);
        return event;
    }

    @Test
    void theQueryStringsToken() {
        IdentitySource source = IdentitySource.parse("route.request.querystring.token");
        assertEquals("a.b.c", source.tokenOf(event(Map.of("room", "general", "token", "a.b.c"), Map.of("Authorization", "Bearer x.y.z"))));
        assertNull(source.tokenOf(event(Map.of("room", "general"), null)));
        assertNull(source.tokenOf(event(null, null)), "a handshake without a query string");
        assertNull(source.tokenOf(event(Map.of("token", "  "), null)), "blank is none");
        assertNull(source.tokenOf(event(Map.of("Token", "a.b.c"), null)), "query string names are case-sensitive");
    }

    @Test
    void aHeadersTokenWithOrWithoutBearer() {
        IdentitySource source = IdentitySource.parse("route.request.header.Authorization");
        assertEquals("x.y.z", source.tokenOf(event(null, Map.of("authorization", "Bearer x.y.z"))), "header names are case-insensitive");
        assertEquals("x.y.z", source.tokenOf(event(null, Map.of("AUTHORIZATION", "bearer  x.y.z"))));
        assertEquals("x.y.z", source.tokenOf(event(null, Map.of("Authorization", "x.y.z"))));
        Map<String, String> headers = new HashMap<>();
        headers.put("Authorization", null);
        assertNull(source.tokenOf(event(Map.of("token", "a.b.c"), headers)));
        assertNull(source.tokenOf(event(null, Map.of("Authorization", "Bearer "))));
    }

    @Test
    void onlyTheTwoFormsApiGatewayHasForAWebSocketAreTaken() {
        assertEquals("route.request.header.X-Token", IdentitySource.parse(" route.request.header.X-Token ").toString());
        for (String bad : new String[] {"", "token", "route.request.querystring.", "route.request.body.token", "stageVariables.token",
            "$request.querystring.token", "route.request.querystring.token,route.request.header.Authorization"}) {
            assertEquals("JWT_IDENTITY_SOURCE: \"" + bad + "\" is not route.request.querystring.NAME or route.request.header.NAME",
                    assertThrows(IllegalArgumentException.class, () -> IdentitySource.parse(bad)).getMessage());
        }
    }
}
