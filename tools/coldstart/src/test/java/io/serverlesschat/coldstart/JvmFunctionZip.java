package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.serverlesschat.lambda.FunctionZip;
import io.serverlesschat.lambda.PackageBuild;
import java.nio.file.Files;
import java.nio.file.Path;

/** For tests that run real cold starts: the project's JVM function.zip (built when stale), as one route's target. */
final class JvmFunctionZip {

    private JvmFunctionZip() {
    }

    /** {@code route} ({@link Target#CONNECT} or {@link Target#AUTHORIZE}) of the JVM zip on JDK 17, unpacked in {@code dir}. */
    static Target target(Path project, String route, Path dir) {
        PackageBuild build = PackageBuild.function(project);
        if (build.stale() && (!Files.exists(build.zip()) || FunctionZip.open(build.zip()).kind() == FunctionZip.Kind.JVM)) {
            build.build();
        }
        FunctionZip zip = FunctionZip.open(build.zip());
        assertEquals(FunctionZip.Kind.JVM, zip.kind(), "this test runs the JVM zip");
        Jdk jdk = Jdk.find("17").orElseGet(() -> Jdk.at(Path.of(System.getProperty("java.home"))));
        return new Target(route, "jvm", jdk, zip.kind(), zip.unpack(dir));
    }
}
