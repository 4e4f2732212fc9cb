package io.serverlesschat.runlocal;

import io.serverlesschat.apigateway.GatewaySettings;
import io.serverlesschat.apigateway.Limits;
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
 * What bin/local needs from a SAM template (sam.native.yaml), as the plain values the emulations take: for
 * each WebSocket route the function behind it (route -> integration -> function), for each such function
 * its code, environment and settings (for tools/lambda), and the API's settings for tools/apigateway: its
 * stage and the stage's throttling, its route selection expression and which routes have a route response
 * (their function's answer goes back to the client). Only literal values, parameters (their defaults, or
 * the values given, as in a deploy's parameter overrides) and Fn::If over the template's conditions are
 * resolved; anything else (what only AWS knows: ARNs, the region) is left out.
 *
 * @param gatewaySettings the API's, with API Gateway's own limits on a connection
 * @param authorizer      $connect's Lambda REQUEST authorizer (AuthorizationType CUSTOM), or null
 */
public record SamTemplate(List<Route> routes, Map<String, Function> functions, GatewaySettings gatewaySettings,
        Authorizer authorizer) {

    /**
     * A Lambda REQUEST authorizer: its function (one of {@link #functions}) and where a handshake must carry
     * something (its IdentitySource, e.g. route.request.querystring.token).
     */
    public record Authorizer(String functionId, List<String> identitySources) {
    }

    /**
     * A route key ($connect, $disconnect, ...) and the function its integration invokes.
     *
     * @param authorizationType its AuthorizationType: NONE (the default), AWS_IAM or CUSTOM
     */
    public record Route(String routeKey, String functionId, Map<String, String> environment, String authorizationType) {
    }

    /**
     * A function some route invokes, with Globals.Function applied.
     *
     * @param codeUri             its CodeUri, relative to the template's folder, or null when it is not a literal
     * @param memoryMb            MemorySize (Lambda's default 128)
     * @param timeoutSeconds      Timeout (Lambda's default 3)
     * @param reservedConcurrency ReservedConcurrentExecutions, or null when there is none
     */
    public record Function(String id, String codeUri, Map<String, String> environment, int memoryMb, int timeoutSeconds,
            Integer reservedConcurrency) {
    }

    private static final Pattern SUB_REFERENCE = Pattern.compile("\\$\\{([A-Za-z0-9]+)(?:\\.[A-Za-z0-9.]+)?}");
    private static final Set<String> FUNCTION_TYPES = Set.of("AWS::Serverless::Function", "AWS::Lambda::Function");

    public static SamTemplate read(Path file) throws IOException {
        return read(file, Map.of());
    }

    /**
     * @param file       the template; CodeUri paths are relative to its folder
     * @param parameters values for some of the template's parameters, in place of their defaults
     */
    public static SamTemplate read(Path file, Map<String, String> parameters) throws IOException {
        String name = String.valueOf(file.getFileName());
        Map<String, Object> template;
        try {
            template = CloudFormationYaml.load(file);
        } catch (IOException | RuntimeException e) {
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
            throw new BadTemplate(name + " is not a template bin/local can read: " + reason);
        }
        if (template == null || !(template.get("Resources") instanceof Map<?, ?>)) {
            throw new BadTemplate(name + " is not a SAM or CloudFormation template: it has no Resources");
        }
        Map<String, Object> given = withParameters(template, parameters, name);
        try {
            return new SamTemplate(given);
        } catch (BadParameter e) {
            throw e;
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new BadTemplate(name + ": " + e.getMessage());
        }
    }

    /** A template bin/local cannot run (not YAML, no WebSocket API, a route without a function): a usage error. */
    public static final class BadTemplate extends IllegalArgumentException {
        BadTemplate(String message) {
            super(message);
        }
    }

    private SamTemplate(Map<String, Object> template) {
        this(template, routesOf(template));
    }

    private SamTemplate(Map<String, Object> template, List<Route> routes) {
        this(template, routes, authorizerOf(template));
    }

    private SamTemplate(Map<String, Object> template, List<Route> routes, Authorizer authorizer) {
        this(routes, functionsOf(template, routes, authorizer), new GatewaySettings(stageOf(template), throttlingOf(template),
                routeSelectionOf(template), routeResponsesOf(template), Limits.AWS), authorizer);
    }

    /** $connect's AuthorizationType (NONE without such a route). */
    public String connectAuthorization() {
        return routes.stream().filter(r -> r.routeKey().equals("$connect")).map(Route::authorizationType).findFirst()
                .orElse("NONE");
    }

    /** A --parameter value the template refuses (or a parameter it does not have): a usage error. */
    public static final class BadParameter extends IllegalArgumentException {
        BadParameter(String message) {
            super(message);
        }
    }

    /**
     * The template with the given parameter values as the parameters' defaults, each checked first as
     * CloudFormation checks it on deploy (AllowedValues, AllowedPattern, MinLength/MaxLength, and for a
     * Number MinValue/MaxValue), so that a value a deploy would refuse stops bin/local before anything starts.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withParameters(Map<String, Object> template, Map<String, String> values, String file) {
        Map<String, Object> parameters = new LinkedHashMap<>((Map<String, Object>) template.getOrDefault("Parameters", Map.of()));
        values.forEach((name, value) -> {
            if (!(parameters.get(name) instanceof Map<?, ?> parameter)) {
                throw new BadParameter(file + " has no parameter " + name + " (it has " + (parameters.isEmpty() ? "none" : String.join(", ", parameters.keySet())) + ")");
            }
            String refusal = refusal((Map<String, Object>) parameter, value);
            if (refusal != null) {
                Object description = parameter.get("ConstraintDescription");
                throw new BadParameter("--parameter " + name + "=" + value + " is refused by " + file + ": "
                        + (description != null ? description : refusal));
            }
            Map<String, Object> given = new LinkedHashMap<>((Map<String, Object>) parameter);
            given.put("Default", value);
            parameters.put(name, given);
        });
        Map<String, Object> copy = new LinkedHashMap<>(template);
        copy.put("Parameters", parameters);
        return copy;
    }

    /** Which of the parameter's constraints {@code value} breaks, or null when it meets them all. */
    static String refusal(Map<String, Object> parameter, String value) {
        if (parameter.get("AllowedValues") instanceof List<?> allowed
                && allowed.stream().map(String::valueOf).noneMatch(value::equals)) {
            return "it must be one of " + allowed;
        }
        if (parameter.get("AllowedPattern") instanceof String pattern && !Pattern.matches(pattern, value)) {
            return "it must match " + pattern;
        }
        if (parameter.get("MinLength") != null && value.length() < Double.parseDouble(String.valueOf(parameter.get("MinLength")))) {
            return "it must be at least " + parameter.get("MinLength") + " characters long";
        }
        if (parameter.get("MaxLength") != null && value.length() > Double.parseDouble(String.valueOf(parameter.get("MaxLength")))) {
            return "it must be at most " + parameter.get("MaxLength") + " characters long";
        }
        if ("Number".equals(parameter.get("Type"))) {
            double number;
            try {
                number = Double.parseDouble(value.strip());
            } catch (NumberFormatException e) {
                return "it must be a number";
            }
            if (parameter.get("MinValue") != null && number < Double.parseDouble(String.valueOf(parameter.get("MinValue")))) {
                return "it must be at least " + parameter.get("MinValue");
            }
            if (parameter.get("MaxValue") != null && number > Double.parseDouble(String.valueOf(parameter.get("MaxValue")))) {
                return "it must be at most " + parameter.get("MaxValue");
            }
        }
        return null;
    }

    /** The function behind {@code routeKey}. */
    public Function function(String routeKey) {
        return functions.get(route(routeKey).functionId());
    }

    public Route route(String routeKey) {
        return routes.stream().filter(r -> r.routeKey().equals(routeKey)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the template has no " + routeKey + " route"));
    }

    private static String stageOf(Map<String, Object> template) {
        String stage = resolve(template, properties(stageResource(template)).get("StageName"));
        if (stage == null) {
            throw new IllegalArgumentException("no AWS::ApiGatewayV2::Stage with a StageName");
        }
        return stage;
    }

    @SuppressWarnings("unchecked")
    private static GatewaySettings.Throttling throttlingOf(Map<String, Object> template) {
        Map<String, Object> settings = (Map<String, Object>) properties(stageResource(template))
                .getOrDefault("DefaultRouteSettings", Map.of());
        String rate = resolve(template, settings.get("ThrottlingRateLimit"));
        String burst = resolve(template, settings.get("ThrottlingBurstLimit"));
        try {
            return new GatewaySettings.Throttling(rate == null ? GatewaySettings.Throttling.ACCOUNT.rateLimit() : Double.parseDouble(rate),
                    burst == null ? GatewaySettings.Throttling.ACCOUNT.burstLimit() : (int) Double.parseDouble(burst));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the stage's ThrottlingRateLimit/ThrottlingBurstLimit are not numbers: " + rate + ", " + burst);
        }
    }

    /** GatewaySettings checks it: a clear error now rather than at the first message. */
    private static String routeSelectionOf(Map<String, Object> template) {
        return resources(template).values().stream()
                .filter(r -> "AWS::ApiGatewayV2::Api".equals(r.get("Type")))
                .map(r -> resolve(template, properties(r).get("RouteSelectionExpression")))
                .filter(e -> e != null && !e.isBlank())
                .findFirst().orElse(GatewaySettings.DEFAULT_ROUTE_SELECTION);
    }

    /** The route keys that have a $default AWS::ApiGatewayV2::RouteResponse: API Gateway sends their answer back. */
    private static Set<String> routeResponsesOf(Map<String, Object> template) {
        Map<String, Map<String, Object>> resources = resources(template);
        Set<String> keys = new LinkedHashSet<>();
        resources.forEach((id, resource) -> {
            if ("AWS::ApiGatewayV2::RouteResponse".equals(resource.get("Type"))
                    && "$default".equals(resolve(template, properties(resource).get("RouteResponseKey")))) {
                String route = referenced(template, properties(resource).get("RouteId"), "AWS::ApiGatewayV2::Route", id);
                keys.add(String.valueOf(properties(resources.get(route)).get("RouteKey")));
            }
        });
        return Set.copyOf(keys);
    }

    private static Map<String, Object> stageResource(Map<String, Object> template) {
        return resources(template).values().stream()
                .filter(r -> "AWS::ApiGatewayV2::Stage".equals(r.get("Type")))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no AWS::ApiGatewayV2::Stage"));
    }

    /** False for a resource whose Condition is false with the parameters given: not deployed, so not run either. */
    private static boolean deployed(Map<String, Object> template, Map<String, Object> resource) {
        return resource.get("Condition") == null || !Boolean.FALSE.equals(condition(template, resource.get("Condition")));
    }

    private static List<Route> routesOf(Map<String, Object> template) {
        Map<String, Map<String, Object>> resources = resources(template);
        List<Route> routes = new ArrayList<>();
        resources.forEach((id, resource) -> {
            if (!"AWS::ApiGatewayV2::Route".equals(resource.get("Type")) || !deployed(template, resource)) {
                return;
            }
            Map<String, Object> route = properties(resource);
            String integration = referenced(template, route.get("Target"), "AWS::ApiGatewayV2::Integration", id);
            String function = referenced(template, properties(resources.get(integration)).get("IntegrationUri"),
                    FUNCTION_TYPES, integration);
            String authorization = resolve(template, route.get("AuthorizationType"));
            routes.add(new Route(String.valueOf(route.get("RouteKey")), function, environment(template, function),
                    authorization == null || authorization.isEmpty() ? "NONE" : authorization));
        });
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("no AWS::ApiGatewayV2::Route (bin/local runs WebSocket APIs)");
        }
        return List.copyOf(routes);
    }

    /**
     * $connect's authorizer when its route's AuthorizationType is CUSTOM: the AWS::ApiGatewayV2::Authorizer its
     * AuthorizerId names (through Fn::If over the template's conditions), its IdentitySource and the function
     * its AuthorizerUri invokes.
     */
    @SuppressWarnings("unchecked")
    private static Authorizer authorizerOf(Map<String, Object> template) {
        Map<String, Map<String, Object>> resources = resources(template);
        for (Map.Entry<String, Map<String, Object>> resource : resources.entrySet()) {
            Map<String, Object> route = properties(resource.getValue());
            if (!"AWS::ApiGatewayV2::Route".equals(resource.getValue().get("Type")) || !deployed(template, resource.getValue())
                    || !"$connect".equals(route.get("RouteKey"))
                    || !"CUSTOM".equals(resolve(template, route.get("AuthorizationType")))) {
                continue;
            }
            String id = referenced(template, chosen(template, route.get("AuthorizerId")), "AWS::ApiGatewayV2::Authorizer",
                    resource.getKey() + "'s AuthorizerId");
            Map<String, Object> authorizer = properties(resources.get(id));
            if (!"REQUEST".equals(resolve(template, authorizer.get("AuthorizerType")))) {
                throw new IllegalArgumentException(id + " is not a REQUEST authorizer, the only type a WebSocket API has");
            }
            String function = referenced(template, authorizer.get("AuthorizerUri"), FUNCTION_TYPES, id + "'s AuthorizerUri");
            List<String> sources = new ArrayList<>();
            for (Object source : authorizer.get("IdentitySource") instanceof List<?> list ? list : List.of()) {
                String value = resolve(template, source);
                if (value == null) {
                    throw new IllegalArgumentException(id + "'s IdentitySource " + source + " is not a value bin/local can know");
                }
                sources.add(value);
            }
            return new Authorizer(function, List.copyOf(sources));
        }
        return null;
    }

    /** The branch an Fn::If takes (the value itself when it is none), for values that are not plain strings. */
    private static Object chosen(Map<String, Object> template, Object value) {
        if (value instanceof Map<?, ?> map && map.size() == 1 && map.get("Fn::If") instanceof List<?> branches
                && branches.size() == 3 && condition(template, branches.get(0)) != null) {
            return chosen(template, branches.get(condition(template, branches.get(0)) ? 1 : 2));
        }
        return value;
    }

    private static Map<String, Function> functionsOf(Map<String, Object> template, List<Route> routes, Authorizer authorizer) {
        Map<String, Function> functions = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>(routes.stream().map(Route::functionId).toList());
        if (authorizer != null) {
            ids.add(authorizer.functionId());
        }
        for (String functionId : ids) {
            functions.computeIfAbsent(functionId, id -> new Function(id,
                    resolve(template, setting(template, id, "CodeUri")),
                    environment(template, id),
                    number(template, id, "MemorySize", 128),
                    number(template, id, "Timeout", 3),
                    optionalNumber(template, id, "ReservedConcurrentExecutions")));
        }
        return Map.copyOf(functions);
    }

    /** The function's own property, else Globals.Function's. */
    @SuppressWarnings("unchecked")
    private static Object setting(Map<String, Object> template, String function, String name) {
        Object own = properties(resources(template).get(function)).get(name);
        if (own != null) {
            return own;
        }
        return ((Map<String, Object>) ((Map<String, Object>) template.getOrDefault("Globals", Map.of()))
                .getOrDefault("Function", Map.of())).get(name);
    }

    private static int number(Map<String, Object> template, String function, String name, int lambdaDefault) {
        Integer value = optionalNumber(template, function, name);
        return value == null ? lambdaDefault : value;
    }

    private static Integer optionalNumber(Map<String, Object> template, String function, String name) {
        String value = resolve(template, setting(template, function, name));
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return (int) Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(function + "'s " + name + " is not a number: " + value);
        }
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

    /**
     * A literal, a Ref to a parameter with a default, or an Fn::If over the template's conditions; null
     * for anything the gateway cannot know, and for AWS::NoValue.
     */
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
        if (value instanceof Map<?, ?> map && map.size() == 1 && map.get("Fn::If") instanceof List<?> branches
                && branches.size() == 3) {
            Boolean holds = condition(template, branches.get(0));
            return holds == null ? null : resolve(template, branches.get(holds ? 1 : 2));
        }
        return null;
    }

    /** A condition's value (a name in Conditions, or Fn::Equals/Not/And/Or); null when it cannot be known. */
    @SuppressWarnings("unchecked")
    private static Boolean condition(Map<String, Object> template, Object condition) {
        if (condition instanceof String name) {
            Map<String, Object> conditions = (Map<String, Object>) template.getOrDefault("Conditions", Map.of());
            return conditions.containsKey(name) ? condition(template, conditions.get(name)) : null;
        }
        if (!(condition instanceof Map<?, ?> map) || map.size() != 1) {
            return null;
        }
        Map.Entry<?, ?> only = map.entrySet().iterator().next();
        List<?> arguments = only.getValue() instanceof List<?> list ? list : List.of(only.getValue());
        switch (String.valueOf(only.getKey())) {
            case "Condition":
                return condition(template, only.getValue());
            case "Fn::Equals": {
                String left = arguments.size() == 2 ? resolve(template, arguments.get(0)) : null;
                String right = arguments.size() == 2 ? resolve(template, arguments.get(1)) : null;
                return left == null || right == null ? null : left.equals(right);
            }
            case "Fn::Not": {
                Boolean inner = arguments.size() == 1 ? condition(template, arguments.get(0)) : null;
                return inner == null ? null : !inner;
            }
            case "Fn::And":
            case "Fn::Or": {
                boolean and = only.getKey().equals("Fn::And");
                for (Object argument : arguments) {
                    Boolean inner = condition(template, argument);
                    if (inner == null) {
                        return null;
                    }
                    if (inner != and) {
                        return inner;
                    }
                }
                return and;
            }
            default:
                return null;
        }
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
