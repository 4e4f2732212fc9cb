package io.serverlesschat.coldstart;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Lambda function as the Lambda API shows it: an environment, an update that takes a few polls to
 * finish, and invokes that are cold after each update and warm otherwise, as on AWS.
 */
class FakeLambda implements LambdaControl {

    Map<String, String> environment = new LinkedHashMap<>(Map.of("TABLE_NAME", "connections", "QUARKUS_LAMBDA_HANDLER", "connect"));
    final List<Map<String, String>> updates = new ArrayList<>();
    final List<String> payloads = new ArrayList<>();
    final Deque<String> statusAfterUpdate = new ArrayDeque<>();
    String lastUpdateStatus = "Successful";
    int configurationCalls;
    boolean coldNext = true;
    double initMs = 450.5;

    @Override
    public Configuration configuration(String function) {
        configurationCalls++;
        if (!statusAfterUpdate.isEmpty()) {
            lastUpdateStatus = statusAfterUpdate.poll();
        }
        return new Configuration(Map.copyOf(environment), "Active", lastUpdateStatus, "Failed".equals(lastUpdateStatus) ? "bad role" : null);
    }

    @Override
    public void updateEnvironment(String function, Map<String, String> env) {
        updates.add(Map.copyOf(env));
        environment = new LinkedHashMap<>(env);
        lastUpdateStatus = "InProgress";
        statusAfterUpdate.add("InProgress");
        statusAfterUpdate.add("Successful");
        coldNext = true;
    }

    @Override
    public InvokeResult invoke(String function, String payload) {
        payloads.add(payload);
        String report = "REPORT RequestId: 11111111-2222-4333-8444-555555555555\tDuration: 120.25 ms\tBilled Duration: 121 ms\t"
                + "Memory Size: 1024 MB\tMax Memory Used: 95 MB\t" + (coldNext ? "Init Duration: " + initMs + " ms\t" : "");
        coldNext = false;
        return new InvokeResult(200, null, "{\"statusCode\":200,\"body\":\"Connected.\"}",
                "START RequestId: 11111111-2222-4333-8444-555555555555 Version: $LATEST\n" + report + "\n");
    }
}
