package io.serverlesschat.lambda;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment variables Lambda sets for a function process (its "reserved" variables, from the AWS
 * Lambda developer guide, "Defined runtime environment variables"), for a local run. The process gets only
 * these plus the function's own variables, as on Lambda: nothing leaks in from the developer's shell.
 */
public final class ReservedVariables {

    public static final String DEFAULT_REGION = "eu-west-1";

    private ReservedVariables() {
    }

    /**
     * @param runtimeApi   AWS_LAMBDA_RUNTIME_API: host:port (and path) of the Runtime API
     * @param handler      _HANDLER: what the runtime loads (for the Java runtime Class::method)
     * @param taskRoot     LAMBDA_TASK_ROOT: the unpacked function.zip
     * @param functionName AWS_LAMBDA_FUNCTION_NAME
     * @param memoryMb     AWS_LAMBDA_FUNCTION_MEMORY_SIZE
     * @param region       AWS_REGION and AWS_DEFAULT_REGION
     * @param executionEnv AWS_EXECUTION_ENV, e.g. AWS_Lambda_java17; null for custom runtimes, where Lambda sets none
     */
    public static Map<String, String> of(String runtimeApi, String handler, Path taskRoot, String functionName,
            int memoryMb, String region, String executionEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
        env.put("_HANDLER", handler);
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("AWS_LAMBDA_FUNCTION_NAME", functionName);
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memoryMb));
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + functionName);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "local/[$LATEST]0");
        env.put("AWS_REGION", region);
        env.put("AWS_DEFAULT_REGION", region);
        if (executionEnv != null) {
            env.put("AWS_EXECUTION_ENV", executionEnv);
        }
        // The role's credentials; a local DynamoDB (moto) accepts any.
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put("AWS_SESSION_TOKEN", "local");
        env.put("TZ", ":UTC");
        env.put("LANG", "en_US.UTF-8");
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        return env;
    }
}
