package io.serverlesschat.connect;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Native image only: the runtime builds each route's event and answer with Jackson, by reflection.
 * The Lambda extension registers the selected handler's own types; naming them here, nested classes
 * included, keeps every route of the zip (connect, later disconnect) readable whichever is selected.
 */
@RegisterForReflection(targets = {
        APIGatewayV2WebSocketEvent.class,
        APIGatewayV2WebSocketEvent.RequestContext.class,
        APIGatewayV2WebSocketEvent.RequestIdentity.class,
        APIGatewayV2WebSocketResponse.class })
final class LambdaEventReflection {

    private LambdaEventReflection() {
    }
}
