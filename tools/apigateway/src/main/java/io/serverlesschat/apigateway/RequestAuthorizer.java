package io.serverlesschat.apigateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.serverlesschat.lambda.InvokeResult;
import io.serverlesschat.lambda.LambdaFunction;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Lambda REQUEST authorizer on $connect, played as API Gateway plays it for a WebSocket API: a handshake
 * without one of the identity sources is refused with 401 and the function is not called; otherwise the
 * function gets the authorizer event ({@link ProxyEvents#authorizerRequest}) and its answer decides. An IAM
 * policy allowing {@code execute-api:Invoke} on the handshake's methodArn (no statement denying it) lets the
 * handshake on to $connect, with {@code principalId}, the authorizer's latency and its context's values
 * as {@code requestContext.authorizer} of every event of the connection; a policy that does not: 403; the
 * function's error "Unauthorized": 401; any other error, an answer that is no such policy, no answer within
 * the function's timeout: 500. API Gateway's 29 s integration timeout does not apply to an authorizer: Lambda
 * ends a function at its own timeout ("Task timed out"), an error other than Unauthorized. No result is
 * cached: API Gateway calls a WebSocket API's authorizer on every handshake.
 *
 * @param timeout         the function's Timeout
 * @param identitySources where the handshake must carry something ({@code route.request.querystring.NAME},
 *                        {@code route.request.header.NAME}), as the template's IdentitySource lists them
 * @param region          the region and account of the methodArn, arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/$connect
 */
public record RequestAuthorizer(String functionName, LambdaFunction function, Duration timeout, List<String> identitySources,
        String region, String accountId) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SOURCE = Pattern.compile("route\\.request\\.(querystring|header)\\.(.+)");

    /** @throws IllegalArgumentException for an identity source API Gateway would refuse */
    public RequestAuthorizer {
        identitySources = List.copyOf(identitySources);
        for (String source : identitySources) {
            if (!SOURCE.matcher(source).matches()) {
                throw new IllegalArgumentException("the authorizer's identity source " + source
                        + " is not route.request.querystring.NAME or route.request.header.NAME");
            }
        }
    }

    /**
     * What the authorizer decided for one handshake.
     *
     * @param status     101 (on to $connect) or the handshake's refusal
     * @param authorizer for 101: requestContext.authorizer of the connection's events
     * @param why        for bin/local's log: never the token, never the function's error text
     */
    record Decision(int status, ObjectNode authorizer, String why) {
        boolean allowed() {
            return status == 101;
        }
    }

    String methodArn(ProxyEvents.Connection connection) {
        return "arn:aws:execute-api:" + region + ":" + accountId + ":" + connection.apiId() + "/" + connection.stage() + "/$connect";
    }

    CompletableFuture<Decision> authorize(ProxyEvents.Connection connection, Map<String, List<String>> headers,
            Map<String, List<String>> query, int port, long now) {
        String missing = missingSource(headers, query);
        if (missing != null) {
            return CompletableFuture.completedFuture(new Decision(401, null, "no " + missing + ", the authorizer was not called"));
        }
        String methodArn = methodArn(connection);
        ObjectNode event = ProxyEvents.authorizerRequest(connection, methodArn, headers, query, port, now);
        long start = System.nanoTime();
        return function.invoke(event.toString(), timeout)
                .thenApply(result -> decide(result, methodArn, (System.nanoTime() - start) / 1_000_000));
    }

    /** The first identity source the handshake lacks (missing or empty, as API Gateway counts it), or null. */
    private String missingSource(Map<String, List<String>> headers, Map<String, List<String>> query) {
        for (String source : identitySources) {
            Matcher m = SOURCE.matcher(source);
            m.matches();
            List<String> values = m.group(1).equals("header") ? header(headers, m.group(2)) : query.get(m.group(2));
            if (values == null || values.stream().allMatch(String::isEmpty)) {
                return source;
            }
        }
        return null;
    }

    private static List<String> header(Map<String, List<String>> headers, String name) {
        List<String> values = new ArrayList<>();
        headers.forEach((key, v) -> {
            if (key.equalsIgnoreCase(name)) {
                values.addAll(v);
            }
        });
        return values.isEmpty() ? null : values;
    }

    static Decision decide(InvokeResult result, String methodArn, long latencyMs) {
        if (result instanceof InvokeResult.FunctionError error) {
            // "Unauthorized" is the one error API Gateway answers 401 to; any other is the authorizer failing.
            return error.errorMessage().equals("Unauthorized")
                    ? new Decision(401, null, "the authorizer answered Unauthorized")
                    : new Decision(500, null, "the authorizer failed (" + error.errorType() + ")");
        }
        if (!(result instanceof InvokeResult.Payload payload)) {
            return new Decision(500, null, "the authorizer did not answer: " + reason(result));
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(payload.payload());
        } catch (IOException e) {
            return new Decision(500, null, "the authorizer's answer is not JSON");
        }
        if (answer == null || !answer.path("principalId").isTextual() || !answer.path("policyDocument").isObject()) {
            return new Decision(500, null, "the authorizer's answer has no principalId or policyDocument");
        }
        ObjectNode authorizer = JsonNodeFactory.instance.objectNode();
        authorizer.put("principalId", answer.get("principalId").asText());
        authorizer.put("integrationLatency", latencyMs);
        JsonNode context = answer.path("context");
        if (!context.isMissingNode() && !context.isNull()) {
            if (!context.isObject()) {
                return new Decision(500, null, "the authorizer's context is not an object");
            }
            for (Map.Entry<String, JsonNode> value : (Iterable<Map.Entry<String, JsonNode>>) context::fields) {
                // Output from a Lambda authorizer: the context's values are strings, numbers or booleans only.
                if (!value.getValue().isValueNode() || value.getValue().isNull()) {
                    return new Decision(500, null, "the authorizer's context value " + value.getKey()
                            + " is not a string, number or boolean");
                }
                authorizer.set(value.getKey(), value.getValue());
            }
        }
        return switch (effect(answer.get("policyDocument"), methodArn)) {
            case ALLOW -> new Decision(101, authorizer, "allowed");
            case DENY -> new Decision(403, null, "the authorizer's policy denies " + methodArn);
            case NONE -> new Decision(403, null, "the authorizer's policy does not allow " + methodArn);
        };
    }

    private static String reason(InvokeResult result) {
        if (result instanceof InvokeResult.TimedOut timedOut) {
            return timedOut.reason();
        }
        if (result instanceof InvokeResult.Throttled throttled) {
            return throttled.reason();
        }
        return ((InvokeResult.NoAnswer) result).reason();
    }

    enum Effect { ALLOW, DENY, NONE }

    /** An explicit Deny wins over any Allow, as in IAM; without a statement on the methodArn nothing is allowed. */
    static Effect effect(JsonNode policy, String methodArn) {
        boolean allowed = false;
        for (JsonNode statement : list(policy.get("Statement"))) {
            boolean invoke = list(statement.get("Action")).stream().anyMatch(a -> matches(a.asText(), "execute-api:Invoke"));
            boolean resource = list(statement.get("Resource")).stream().anyMatch(r -> matches(r.asText(), methodArn));
            if (!invoke || !resource) {
                continue;
            }
            String effect = statement.path("Effect").asText("");
            if (effect.equals("Deny")) {
                return Effect.DENY;
            }
            allowed |= effect.equals("Allow");
        }
        return allowed ? Effect.ALLOW : Effect.NONE;
    }

    private static List<JsonNode> list(JsonNode node) {
        List<JsonNode> list = new ArrayList<>();
        if (node == null || node.isNull()) {
            return list;
        }
        if (node.isArray()) {
            node.forEach(list::add);
        } else {
            list.add(node);
        }
        return list;
    }

    /** IAM's wildcards: * any run of characters, ? one; actions compare case-insensitively. */
    static boolean matches(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        boolean action = value.equals("execute-api:Invoke");
        return Pattern.compile(regex.toString(), action ? Pattern.CASE_INSENSITIVE : 0).matcher(value).matches();
    }
}
