package io.serverlesschat.connect;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/** A real local DynamoDB behind a {@link FaultyDynamoDb}, which the function is pointed at. */
public class FaultyDynamoDbResource implements QuarkusTestResourceLifecycleManager {

    /** Marks a test field that receives the running {@link FaultyDynamoDb}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    private LocalDynamoDb dynamo;
    private FaultyDynamoDb faults;

    @Override
    public Map<String, String> start() {
        dynamo = LocalDynamoDb.start();
        LocalDynamoDbResource.createTable(dynamo);
        try {
            faults = new FaultyDynamoDb(dynamo.endpoint());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "quarkus.dynamodb.endpoint-override", faults.endpoint().toString(),
                "connections.table-name", LocalDynamoDbResource.TABLE);
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(faults, new TestInjector.AnnotatedAndMatchesType(Inject.class, FaultyDynamoDb.class));
        injector.injectIntoFields(dynamo, new TestInjector.AnnotatedAndMatchesType(LocalDynamoDbResource.Inject.class, LocalDynamoDb.class));
    }

    @Override
    public void stop() {
        if (faults != null) {
            faults.close();
        }
        if (dynamo != null) {
            dynamo.close();
        }
    }
}
