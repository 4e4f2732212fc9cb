package io.serverlesschat.baseline;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import java.util.Map;

/** Accepts every $connect without recording it: the framework's floor for the cold-start benchmark. */
public class BaselineHandler implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        var response = new APIGatewayV2WebSocketResponse();
        response.setStatusCode(200);
        response.setHeaders(Map.of("Content-Type", "text/plain"));
        response.setBody("Connected.");
        return response;
    }
}
