package io.serverlesschat.connect;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Map;

/**
 * Starts a real local DynamoDB (see {@link LocalDynamoDb}) with the connections table before Quarkus
 * starts, points the function's client at it, and hands it to fields annotated {@link Inject}.
 */
public class LocalDynamoDbResource implements QuarkusTestResourceLifecycleManager {

    public static final String TABLE = "connections";
    /** The table's index of a user's connections, as sam.native.yaml declares it (SamTemplateTest compares). */
    public static final LocalDynamoDb.Index BY_USER = LocalDynamoDb.BY_USER;

    /** Marks a test field that receives the running {@link LocalDynamoDb}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    private LocalDynamoDb dynamo;

    @Override
    public Map<String, String> start() {
        dynamo = LocalDynamoDb.start();
        createTable(dynamo);
        return Map.of(
                "quarkus.dynamodb.endpoint-override", dynamo.endpoint().toString(),
                "connections.table-name", TABLE);
    }

    /** The connections table as sam.native.yaml declares it. */
    static void createTable(LocalDynamoDb dynamo) {
        dynamo.createTable(TABLE, Connection.CONNECTION_ID, Connection.EXPIRES_AT, List.of(BY_USER));
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(dynamo, new TestInjector.AnnotatedAndMatchesType(Inject.class, LocalDynamoDb.class));
    }

    @Override
    public void stop() {
        if (dynamo != null) {
            dynamo.close();
        }
    }
}
