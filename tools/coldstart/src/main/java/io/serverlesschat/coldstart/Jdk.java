package io.serverlesschat.coldstart;

import io.serverlesschat.lambda.FunctionLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** A JDK that runs JVM variants: where it is, its feature version and its full version. */
public record Jdk(Path home, int feature, String version) {

    /** Where {@link #find} looks for a JDK of a feature version, in order. */
    static final String SEARCHED = "$JAVA<N>_HOME (e.g. JAVA25_HOME), $JAVA_HOME, the JDK running bench/coldstart, /usr/lib/jvm/*;"
            + " or pass --jdk PATH";

    /** The JDK at {@code home}. */
    public static Jdk at(Path home) {
        int feature = FunctionLauncher.javaFeatureVersion(home);
        return new Jdk(home, feature, fullVersion(home));
    }

    /** A JDK for "17", "25" (found as {@link #SEARCHED} says), or a path to a JDK's home. */
    public static Optional<Jdk> find(String spec) {
        if (spec.contains("/")) {
            Path home = Path.of(spec);
            return Files.isExecutable(home.resolve("bin/java")) ? Optional.of(at(home)) : Optional.empty();
        }
        int feature;
        try {
            feature = Integer.parseInt(spec);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        for (Path home : candidates(feature)) {
            try {
                if (Files.isExecutable(home.resolve("bin/java")) && FunctionLauncher.javaFeatureVersion(home) == feature) {
                    return Optional.of(at(home));
                }
            } catch (IllegalArgumentException notAJdk) {
                // keep looking
            }
        }
        return Optional.empty();
    }

    private static List<Path> candidates(int feature) {
        List<Path> homes = new ArrayList<>();
        for (String variable : List.of("JAVA" + feature + "_HOME", "JAVA_HOME")) {
            String home = System.getenv(variable);
            if (home != null && !home.isBlank()) {
                homes.add(Path.of(home));
            }
        }
        homes.add(Path.of(System.getProperty("java.home")));
        try (Stream<Path> jvms = Files.list(Path.of("/usr/lib/jvm"))) {
            jvms.filter(p -> !Files.isSymbolicLink(p)).sorted().forEach(homes::add);
        } catch (IOException none) {
            // no system JDKs
        }
        return homes;
    }

    /** The version and the JDK directory's name, not its path ("25.0.3+9-LTS in temurin-25-jdk-amd64"). */
    public String describe() {
        return version + " in " + home.toAbsolutePath().normalize().getFileName();
    }

    private static String fullVersion(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_RUNTIME_VERSION=")) {
                    return line.substring("JAVA_RUNTIME_VERSION=".length()).replace("\"", "");
                }
            }
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return line.substring("JAVA_VERSION=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }
}
