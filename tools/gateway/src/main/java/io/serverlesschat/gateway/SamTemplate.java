package io.serverlesschat.gateway;

import io.serverlesschat.localdev.CloudFormationYaml;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the local gateway needs from sam.native.yaml: the stage, and for each WebSocket route the
 * function behind it (route -> integration -> function) with the environment the template gives it.
 * Only literal values and parameter defaults are resolved; anything else is left for the caller.
 */
public record SamTemplate(String stage, List<Route> routes) {

    /** A route key ($connect, $disconnect, ...) and the function its integration invokes. */
    public record Route(String routeKey, String functionId, Map<String, String> environment) {
    }

    private static final Pattern SUB_REFERENCE = Pattern.compile("\\$\\{([A-Za-z0-9]+)(?:\\.[A-Za-z0-9.]+)?}");
    private static final Set<String> FUNCTION_TYPES = Set.of("AWS::Serverless::Function", "AWS::Lambda::Function");

    public static SamTemplate read(Path file) throws IOException {
        return new SamTemplate(CloudFormationYaml.load(file));
    }

    private SamTemplate(Map<String, Object> template) {
        this(stageOf(template), routesOf(template));
    }

    public Route route(String routeKey) {
        return routes.stream().filter(r -> r.routeKey().equals(routeKey)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("sam.native.yaml has no " + routeKey + " route"));
    }

    private static String stageOf(Map<String, Object> template) {
        return resources(template).values().stream()
                .filter(r -> "AWS::ApiGatewayV2::Stage".equals(r.get("Type")))
                .map(r -> resolve(template, properties(r).get("StageName")))
                .filter(s -> s != null)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("sam.native.yaml has no AWS::ApiGatewayV2::Stage with a StageName"));
    }

    private static List<Route> routesOf(Map<String, Object> template) {
        Map<String, Map<String, Object>> resources = resources(template);
        List<Route> routes = new ArrayList<>();
        resources.forEach((id, resource) -> {
            if (!"AWS::ApiGatewayV2::Route".equals(resource.get("Type"))) {
                return;
            }
            Map<String, Object> route = properties(resource);
            String integration = referenced(template, route.get("Target"), "AWS::ApiGatewayV2::Integration", id);
            String function = referenced(template, properties(resources.get(integration)).get("IntegrationUri"),
                    FUNCTION_TYPES, integration);
            routes.add(new Route(String.valueOf(route.get("RouteKey")), function, environment(template, function)));
        });
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("sam.native.yaml declares no AWS::ApiGatewayV2::Route");
        }
        return List.copyOf(routes);
    }

    /** Globals.Function's variables overlaid by the function's own, where they resolve to a value. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Map<String, Object> template, String function) {
        Map<String, String> environment = new LinkedHashMap<>();
        Map<String, Object> globals = (Map<String, Object>) ((Map<String, Object>) template.getOrDefault("Globals", Map.of()))
                .getOrDefault("Function", Map.of());
        for (Map<String, Object> scope : List.of(globals, properties(resources(template).get(function)))) {
            Map<String, Object> variables = (Map<String, Object>) ((Map<String, Object>) scope.getOrDefault("Environment", Map.of()))
                    .getOrDefault("Variables", Map.of());
            variables.forEach((name, value) -> {
                String resolved = resolve(template, value);
                if (resolved != null) {
                    environment.put(name, resolved);
                }
            });
        }
        return environment;
    }

    private static String referenced(Map<String, Object> template, Object value, String type, String from) {
        return referenced(template, value, Set.of(type), from);
    }

    /** The one resource of the given types that {@code value} refers to (Ref, GetAtt, Sub, Join). */
    private static String referenced(Map<String, Object> template, Object value, Set<String> types, String from) {
        Set<String> ids = new LinkedHashSet<>();
        collectReferences(value, ids);
        Map<String, Map<String, Object>> resources = resources(template);
        return ids.stream().filter(id -> resources.containsKey(id) && types.contains(resources.get(id).get("Type")))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(from + " refers to no " + types + " resource"));
    }

    @SuppressWarnings("unchecked")
    private static void collectReferences(Object value, Set<String> ids) {
        if (value instanceof String s) {
            Matcher m = SUB_REFERENCE.matcher(s);
            while (m.find()) {
                ids.add(m.group(1));
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((key, inner) -> {
                if ("Ref".equals(key)) {
                    ids.add(String.valueOf(inner));
                } else if ("Fn::GetAtt".equals(key) && inner instanceof List<?> parts && !parts.isEmpty()) {
                    ids.add(String.valueOf(parts.get(0)));
                } else {
                    collectReferences(inner, ids);
                }
            });
        } else if (value instanceof List<?> list) {
            list.forEach(inner -> collectReferences(inner, ids));
        }
    }

    /** A literal, or a Ref to a parameter with a default; null for anything the gateway cannot know. */
    @SuppressWarnings("unchecked")
    private static String resolve(Map<String, Object> template, Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        if (value instanceof Map<?, ?> map && map.size() == 1 && map.get("Ref") instanceof String ref) {
            Map<String, Object> parameters = (Map<String, Object>) template.getOrDefault("Parameters", Map.of());
            if (parameters.get(ref) instanceof Map<?, ?> parameter && parameter.get("Default") != null) {
                return String.valueOf(parameter.get("Default"));
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> resources(Map<String, Object> template) {
        return (Map<String, Map<String, Object>>) template.getOrDefault("Resources", Map.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> resource) {
        return resource == null ? Map.of() : (Map<String, Object>) resource.getOrDefault("Properties", Map.of());
    }
}
