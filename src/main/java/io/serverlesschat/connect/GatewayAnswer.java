package io.serverlesschat.connect;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What this function answers API Gateway: a WebSocket route's answer ({@code statusCode}, {@code headers},
 * {@code body}), or the authorizer's ({@code principalId}, {@code policyDocument}, {@code context}). Only
 * the members of the one it is are written: an authorizer's answer carries nothing else. The counterpart
 * of {@link GatewayEvent}, for the same reason.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class GatewayAnswer {

    private static final Map<String, String> TEXT = Map.of("Content-Type", "text/plain");

    private final Integer statusCode;
    private final Map<String, String> headers;
    private final String body;
    private final String principalId;
    private final Map<String, Object> policyDocument;
    private final Map<String, Object> context;

    private GatewayAnswer(Integer statusCode, String body, String principalId, Map<String, Object> policyDocument,
            Map<String, Object> context) {
        this.statusCode = statusCode;
        this.headers = statusCode == null ? null : TEXT;
        this.body = body;
        this.principalId = principalId;
        this.policyDocument = policyDocument;
        this.context = context;
    }

    /** A route's answer: API Gateway completes the handshake on 2xx only. */
    static GatewayAnswer route(int statusCode, String body) {
        return new GatewayAnswer(statusCode, body, null, null, null);
    }

    /**
     * An authorizer's answer: {@code effect} ({@code Allow} or {@code Deny}) on {@code execute-api:Invoke} of
     * exactly {@code methodArn}, and a context whose values are strings (API Gateway takes strings, numbers
     * and booleans only), or none.
     */
    static GatewayAnswer policy(String principalId, String effect, String methodArn, Map<String, Object> context) {
        Map<String, Object> statement = Map.of("Action", "execute-api:Invoke", "Effect", effect, "Resource", methodArn);
        return new GatewayAnswer(null, null, principalId, Map.of("Version", "2012-10-17", "Statement", List.of(statement)),
                context == null || context.isEmpty() ? null : Map.copyOf(context));
    }

    public Integer getStatusCode() {
        return statusCode;
    }

    public Map<String, String> getHeaders() {
        return headers;
    }

    public String getBody() {
        return body;
    }

    public String getPrincipalId() {
        return principalId;
    }

    public Map<String, Object> getPolicyDocument() {
        return policyDocument;
    }

    public Map<String, Object> getContext() {
        return context;
    }
}
