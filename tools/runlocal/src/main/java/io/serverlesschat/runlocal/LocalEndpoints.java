package io.serverlesschat.runlocal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a function finds the local services, as the environment variables bin/local gives every function:
 * the table's name, and the endpoints in the form the AWS SDKs read by themselves (the service-specific
 * endpoint variables, AWS_ENDPOINT_URL_&lt;SERVICE_ID&gt;): the local DynamoDB, and the local gateway's
 * @connections API. On AWS none is set, and the SDKs use AWS's endpoints.
 *
 * @param table       the connections table's name
 * @param dynamoDb    the local DynamoDB
 * @param connections the @connections API's base, {@code http://localhost:PORT/STAGE}: an SDK client (or the AWS
 *                    CLI's --endpoint-url) appends {@code /@connections/ID}
 */
record LocalEndpoints(String table, URI dynamoDb, URI connections) {

    /** The SDKs' variable for the API Gateway Management API (service id ApiGatewayManagementApi). */
    static final String CONNECTIONS_VARIABLE = "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI";
    /** The SDKs' variable for DynamoDB. */
    static final String DYNAMODB_VARIABLE = "AWS_ENDPOINT_URL_DYNAMODB";

    /** The @connections base of a gateway on {@code port} serving {@code stage}, as LocalGateway lays it out. */
    static URI connectionsAt(int port, String stage) {
        return URI.create("http://localhost:" + port + "/" + stage);
    }

    Map<String, String> variables() {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("TABLE_NAME", table);
        // This project's own variable (application.properties), kept for functions that read it.
        variables.put("DYNAMODB_ENDPOINT", dynamoDb.toString());
        variables.put(DYNAMODB_VARIABLE, dynamoDb.toString());
        variables.put(CONNECTIONS_VARIABLE, connections.toString());
        return variables;
    }

    /**
     * The gateway's port, known before it starts, so that the functions' variables can name it: the one asked
     * for, or for port 0 a free one, taken now.
     */
    static int gatewayPort(int requested) {
        if (requested != 0) {
            return requested;
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
