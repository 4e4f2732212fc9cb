package io.serverlesschat.local;

import io.serverlesschat.localdev.LocalDynamoDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * bin/local: a local DynamoDB (moto) with the connections table, and the function in Quarkus dev
 * mode pointed at it, so that a $connect event POSTed to localhost:8080 is recorded for real.
 */
public final class LocalDev {

    static final String TABLE = "connections";
    // The function's item contract (Connection.CONNECTION_ID / EXPIRES_AT in the function's code).
    static final String KEY_ATTRIBUTE = "connectionId";
    static final String TTL_ATTRIBUTE = "expiresAt";

    private LocalDev() {
    }

    public static void main(String[] args) throws Exception {
        Path project = Path.of(System.getProperty("project.dir", ".")).toAbsolutePath().normalize();
        int dynamoPort = 8000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dynamodb-port" -> dynamoPort = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: bin/local [--dynamodb-port PORT]   (default 8000; 0 picks a free port)");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
            }
        }
        if (!Files.isExecutable(project.resolve("mvnw"))) {
            throw new IllegalStateException("not the project directory (no mvnw): " + project);
        }

        LocalDynamoDb dynamo = LocalDynamoDb.start(dynamoPort);
        dynamo.createTable(TABLE, KEY_ATTRIBUTE, TTL_ATTRIBUTE);
        String endpoint = dynamo.endpoint().toString();
        System.out.printf("""

                Local DynamoDB: %s (%s), table "%s" with TTL on %s
                Function:       Quarkus dev mode, events on http://localhost:8080 (Ctrl-C stops everything)

                Record a connection:
                  curl -d @src/test/resources/events/connect.json localhost:8080
                See it:
                  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws dynamodb scan --table-name %s --endpoint-url %s --region %s

                """, endpoint, dynamo.ownsServer() ? "moto" : "DYNAMODB_ENDPOINT", TABLE, TTL_ATTRIBUTE,
                TABLE, endpoint, LocalDynamoDb.REGION);

        ProcessBuilder devMode = new ProcessBuilder(List.of(
                project.resolve("mvnw").toString(), "quarkus:dev", "-Dquarkus.analytics.disabled=true"))
                .directory(project.toFile())
                .inheritIO();
        devMode.environment().put("DYNAMODB_ENDPOINT", endpoint);
        devMode.environment().put("TABLE_NAME", TABLE);
        devMode.environment().put("AWS_REGION", LocalDynamoDb.REGION);
        Process function = devMode.start();
        // On Ctrl-C or SIGTERM the JVM runs only its shutdown hooks, so they stop everything.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop(function);
            dynamo.close();
        }));
        System.exit(function.waitFor());
    }

    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }
}
