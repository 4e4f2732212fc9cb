package io.serverlesschat.apigateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RouteSelectionTest {

    private final RouteSelection action = RouteSelection.parse("$request.body.action");

    @Test
    void selectsTheFieldOfAJsonBody() {
        assertEquals("sendmessage", action.select("{\"action\":\"sendmessage\",\"data\":\"hi\"}"));
        assertEquals("7", action.select("{\"action\":7}"), "a scalar selects by its text");
        assertEquals("join", RouteSelection.parse("$request.body.meta.action").select("{\"meta\":{\"action\":\"join\"}}"));
    }

    @Test
    void selectsNothingWhenTheBodyIsNotJsonOrLacksTheField() {
        for (String body : new String[] {"hello", "", "[1,2]", "\"action\"", "{\"data\":1}", "{\"action\":null}",
                "{\"action\":{\"x\":1}}", "{\"action\":[\"a\"]}", "{\"action\":\"\"}", "{\"action\":"}) {
            assertNull(action.select(body), body);
        }
    }

    @Test
    void aTemplateJoinsFieldsAndLiteralText() {
        RouteSelection template = RouteSelection.parse("${request.body.type}-${request.body.action}");
        assertEquals("chat-send", template.select("{\"type\":\"chat\",\"action\":\"send\"}"));
        assertNull(template.select("{\"type\":\"chat\"}"), "every field must be there");
    }

    @Test
    void refusesExpressionsThatDoNotSelectOnTheBody() {
        assertThrows(IllegalArgumentException.class, () -> RouteSelection.parse("$request.header.action"));
        assertThrows(IllegalArgumentException.class, () -> RouteSelection.parse("action"));
        assertThrows(IllegalArgumentException.class, () -> RouteSelection.parse("$request.body."));
    }
}
