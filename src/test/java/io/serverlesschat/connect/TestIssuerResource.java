package io.serverlesschat.connect;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * Starts a {@link TestIssuer} before Quarkus starts, makes it the authorizer's issuer (its key set at the
 * default place, {@code ISSUER/.well-known/jwks.json}) and hands it to fields annotated {@link Inject}.
 */
public class TestIssuerResource implements QuarkusTestResourceLifecycleManager {

    /** Marks a test field that receives the running {@link TestIssuer}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    private TestIssuer issuer;

    @Override
    public Map<String, String> start() {
        issuer = TestIssuer.start();
        return Map.of("authorizer.issuer", issuer.url(), "authorizer.audience", TestIssuer.AUDIENCE);
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(issuer, new TestInjector.AnnotatedAndMatchesType(Inject.class, TestIssuer.class));
    }

    @Override
    public void stop() {
        if (issuer != null) {
            issuer.close();
        }
    }
}
