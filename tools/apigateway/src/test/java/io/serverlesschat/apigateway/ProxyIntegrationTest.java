package io.serverlesschat.apigateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.serverlesschat.lambda.InvokeResult;
import org.junit.jupiter.api.Test;

/** A function's outcome as API Gateway's Lambda proxy integration reads it. */
class ProxyIntegrationTest {

    @Test
    void aProxyResponseGivesItsStatusAndBody() {
        assertEquals(new ProxyIntegration.Answer(200, "hi", true),
                ProxyIntegration.answer(new InvokeResult.Payload("{\"statusCode\":200,\"body\":\"hi\"}")));
        assertEquals(new ProxyIntegration.Answer(403, "", true),
                ProxyIntegration.answer(new InvokeResult.Payload("{\"statusCode\":403}")));
    }

    @Test
    void anAnswerThatIsNoProxyResponseIs502() {
        assertEquals(new ProxyIntegration.Answer(502, "the function's answer has no statusCode", false),
                ProxyIntegration.answer(new InvokeResult.Payload("{\"principalId\":\"u1\"}")));
        assertEquals(new ProxyIntegration.Answer(502, "the function's answer is not JSON", false),
                ProxyIntegration.answer(new InvokeResult.Payload("{not json")));
    }

    /** Lambda throttled the invocation: API Gateway answers 500, so $connect refuses with it. */
    @Test
    void aThrottledInvocationIsAnswered500AsApiGatewayDoes() {
        assertEquals(new ProxyIntegration.Answer(500, "Lambda throttled the invocation: Rate Exceeded", false),
                ProxyIntegration.answer(new InvokeResult.Throttled("Rate Exceeded")));
    }

    @Test
    void aTimeoutIs504AndAnErrorOrNoAnswer502() {
        assertEquals(504, ProxyIntegration.answer(new InvokeResult.TimedOut("no answer within 29000 ms")).statusCode());
        assertEquals(new ProxyIntegration.Answer(502, "function error: {\"errorMessage\":\"boom\"}", false),
                ProxyIntegration.answer(new InvokeResult.FunctionError("", "boom", "{\"errorMessage\":\"boom\"}")));
        assertEquals(new ProxyIntegration.Answer(502, "the function's process exited", false),
                ProxyIntegration.answer(new InvokeResult.NoAnswer("the function's process exited")));
    }
}
