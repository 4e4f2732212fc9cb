package io.serverlesschat.coldstart;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Forces the next invoke of a deployed function onto a new execution environment, the way the public
 * benchmarks do it: a configuration change (here one environment variable, {@value #VARIABLE}, set to a
 * new value) makes Lambda retire the function's warm environments. It keeps every other variable, waits
 * until the update is done, and puts the original environment back at the end.
 */
public final class ColdStartForcer {

    public static final String VARIABLE = "COLDSTART_BENCH_NONCE";

    private final LambdaControl lambda;
    private final Sleeper sleeper;
    private final Duration pollEvery;
    private final Duration patience;

    /** Pauses between polls; a test passes one that does not sleep. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    public ColdStartForcer(LambdaControl lambda, Sleeper sleeper, Duration pollEvery, Duration patience) {
        this.lambda = lambda;
        this.sleeper = sleeper;
        this.pollEvery = pollEvery;
        this.patience = patience;
    }

    public static ColdStartForcer standard(LambdaControl lambda) {
        return new ColdStartForcer(lambda, d -> Thread.sleep(d.toMillis()), Duration.ofSeconds(1), Duration.ofMinutes(2));
    }

    /** The environment to restore afterwards: the function's own, without a nonce left by an earlier run. */
    public Map<String, String> originalEnvironment(String function) {
        Map<String, String> env = new LinkedHashMap<>(lambda.configuration(function).environment());
        env.remove(VARIABLE);
        return env;
    }

    /** Sets the nonce to {@code nonce} on top of {@code original} and waits until Lambda has applied it. */
    public void force(String function, Map<String, String> original, String nonce) throws InterruptedException {
        Map<String, String> env = new LinkedHashMap<>(original);
        env.put(VARIABLE, nonce);
        awaitUpdated(function); // an update still in progress would make ours fail
        lambda.updateEnvironment(function, env);
        awaitUpdated(function);
        String applied = lambda.configuration(function).environment().get(VARIABLE);
        if (!nonce.equals(applied)) {
            throw new IllegalStateException("the update of " + function + " did not apply (" + VARIABLE + "=" + applied + ")");
        }
    }

    /** Puts the original environment back. */
    public void restore(String function, Map<String, String> original) throws InterruptedException {
        awaitUpdated(function);
        lambda.updateEnvironment(function, original);
        awaitUpdated(function);
    }

    private void awaitUpdated(String function) throws InterruptedException {
        long waited = 0;
        while (true) {
            LambdaControl.Configuration c = lambda.configuration(function);
            if ("Failed".equals(c.lastUpdateStatus())) {
                throw new IllegalStateException("updating " + function + " failed: " + c.lastUpdateStatusReason());
            }
            boolean updated = c.lastUpdateStatus() == null || "Successful".equals(c.lastUpdateStatus());
            if (updated && (c.state() == null || "Active".equals(c.state()))) {
                return;
            }
            if (waited >= patience.toMillis()) {
                throw new IllegalStateException(function + " still " + c.state() + "/" + c.lastUpdateStatus()
                        + " after " + patience.toSeconds() + " s");
            }
            sleeper.sleep(pollEvery);
            waited += pollEvery.toMillis();
        }
    }
}
