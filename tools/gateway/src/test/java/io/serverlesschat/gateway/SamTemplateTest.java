package io.serverlesschat.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SamTemplateTest {

    @Test
    void followsEachRouteThroughItsIntegrationToItsFunction() throws Exception {
        SamTemplate template = SamTemplate.read(Path.of("src/test/resources/template-fixture.yaml"));
        assertEquals("dev", template.stage());
        assertEquals("OnConnectFunction", template.route("$connect").functionId());
        assertEquals("OnDisconnectFunction", template.route("$disconnect").functionId());
        assertEquals(2, template.routes().size());
    }

    @Test
    void resolvesLiteralsAndParameterDefaultsOverGlobals() throws Exception {
        SamTemplate template = SamTemplate.read(Path.of("src/test/resources/template-fixture.yaml"));
        Map<String, String> connect = template.route("$connect").environment();
        assertEquals("connect", connect.get("QUARKUS_LAMBDA_HANDLER"));
        assertEquals("chat-connections", connect.get("TABLE_NAME"));
        assertEquals("true", connect.get("DISABLE_SIGNAL_HANDLERS"));
        assertFalse(connect.containsKey("REGION_COPY"), "what only AWS can resolve is left out");
        assertEquals("disconnect", template.route("$disconnect").environment().get("QUARKUS_LAMBDA_HANDLER"));
    }

    @Test
    void saysWhenARouteIsMissing() throws Exception {
        SamTemplate template = SamTemplate.read(Path.of("src/test/resources/template-fixture.yaml"));
        assertThrows(IllegalArgumentException.class, () -> template.route("$default"));
    }

    @Test
    void readsTheProjectsOwnTemplate() throws Exception {
        Path project = Path.of("../../sam.native.yaml");
        if (!Files.exists(project)) {
            throw new AssertionError("sam.native.yaml is missing at the repository root");
        }
        SamTemplate template = SamTemplate.read(project);
        assertEquals("connect", template.route("$connect").environment().get("QUARKUS_LAMBDA_HANDLER"));
        assertEquals("disconnect", template.route("$disconnect").environment().get("QUARKUS_LAMBDA_HANDLER"));
    }
}
