package io.serverlesschat.coldstart;

import java.util.Map;

/** The few Lambda API calls AWS mode makes; {@link SdkLambdaControl} makes them with the AWS SDK. */
public interface LambdaControl {

    /** The function's configuration as far as AWS mode needs it. */
    record Configuration(Map<String, String> environment, String state, String lastUpdateStatus, String lastUpdateStatusReason) {
    }

    /** What Invoke returned, with the log tail already base64-decoded. */
    record InvokeResult(int statusCode, String functionError, String payload, String logTail) {
    }

    Configuration configuration(String function);

    /** Replaces the function's environment variables (Lambda replaces the whole map). */
    void updateEnvironment(String function, Map<String, String> environment);

    /** A synchronous invoke with {@code LogType=Tail}. */
    InvokeResult invoke(String function, String payload);
}
