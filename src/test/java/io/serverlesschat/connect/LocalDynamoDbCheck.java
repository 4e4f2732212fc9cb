package io.serverlesschat.connect;

import io.quarkus.test.common.WithTestResource;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class whose test resource needs a local DynamoDB, before Quarkus starts that resource, with
 * the one line that says what to install or set. Failing inside the resource, the same cause reaches
 * Surefire's summary only as {@code RuntimeException: InvocationTargetException}. Registered for every test
 * class through JUnit's extension auto-detection (META-INF/services), which Quarkus' test setup turns on.
 */
public class LocalDynamoDbCheck implements BeforeAllCallback {

    private static final Set<Class<?>> NEED_DYNAMODB = Set.of(LocalDynamoDbResource.class, FaultyDynamoDbResource.class);

    @Override
    public void beforeAll(ExtensionContext context) throws ClassNotFoundException {
        // Quarkus hands JUnit the test class from its own class loader; its annotations are read from ours.
        Class<?> testClass = Class.forName(context.getRequiredTestClass().getName(), false, getClass().getClassLoader());
        if (Arrays.stream(testClass.getAnnotationsByType(WithTestResource.class))
                .anyMatch(resource -> NEED_DYNAMODB.contains(resource.value()))) {
            LocalDynamoDb.requireAvailable();
        }
    }
}
