package io.serverlesschat.coldstart;

import io.serverlesschat.lambda.FunctionZip;
import java.nio.file.Path;

/**
 * What one local variant runs: a function (the $connect function or the baseline) unpacked in
 * {@code taskRoot}, as {@code variant} ("jvm", "jvm-cds" or "native") on {@code jdk} (null for native).
 */
public record Target(String function, String variant, Jdk jdk, FunctionZip.Kind kind, Path taskRoot) {

    /** The $connect function, and the minimal Quarkus Lambda it is compared with (tools/baseline). */
    static final String CONNECT = "connect";
    static final String BASELINE = "baseline";
    /** The $connect authorizer: the same zip as {@link #CONNECT}, QUARKUS_LAMBDA_HANDLER=authorize. */
    static final String AUTHORIZE = "authorize";

    /** e.g. connect/jvm-cds@17, baseline/jvm@25, connect/native. */
    public String key() {
        return key(function, variant, jdk == null ? null : jdk.feature());
    }

    public static String key(String function, String variant, Integer jdkFeature) {
        return function + "/" + variant + (jdkFeature == null ? "" : "@" + jdkFeature);
    }

    /** Whether a 200 from it means an item was written (the baseline writes nothing). */
    public boolean writesItem() {
        return CONNECT.equals(function);
    }

    /** Whether it is the authorizer, which answers a policy rather than a statusCode. */
    public boolean authorizes() {
        return AUTHORIZE.equals(function);
    }
}
