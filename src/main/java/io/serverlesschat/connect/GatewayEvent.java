package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;

/**
 * What API Gateway sends this function: a WebSocket route's event, or, for the authorizer, the REQUEST
 * event of a {@code $connect} handshake, which is the same event (headers, query string, stage variables,
 * requestContext) plus its {@code type} and the {@code methodArn} the answer's policy is about. One type for
 * every route keeps {@link WebSocketLambda} the deployment's only handler, whose JSON reader the Lambda
 * extension builds at static init (build time, natively).
 */
public class GatewayEvent extends APIGatewayV2WebSocketEvent {

    private String type;
    private String methodArn;

    /** {@code REQUEST} in an authorizer's event; absent in a route's. */
    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    /** In an authorizer's event: {@code arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/$connect}. */
    public String getMethodArn() {
        return methodArn;
    }

    public void setMethodArn(String methodArn) {
        this.methodArn = methodArn;
    }
}
