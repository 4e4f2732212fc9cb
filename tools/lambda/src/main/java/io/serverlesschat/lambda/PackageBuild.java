package io.serverlesschat.lambda;

import io.serverlesschat.localdev.SetupFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Keeps a JVM function.zip in step with its sources: rebuilds it with the project's Maven wrapper when
 * it is missing or older than any of its sources. A native zip is never rebuilt here (that would
 * replace it with a JVM one, and native builds need a container this tool does not assume).
 */
public final class PackageBuild {

    private final Path zip;
    private final List<Path> sources;
    private final List<String> command;
    private final Path workingDir;

    /**
     * @param zip        the package
     * @param sources    files and directories whose change makes it stale
     * @param command    the Maven command that rebuilds it
     * @param workingDir where to run it
     */
    public PackageBuild(Path zip, List<Path> sources, List<String> command, Path workingDir) {
        this.zip = zip;
        this.sources = sources;
        this.command = command;
        this.workingDir = workingDir;
    }

    /** The function's JVM zip: {@code ./mvnw -B -q package -DskipTests} at the project root. */
    public static PackageBuild function(Path project) {
        return new PackageBuild(project.resolve("target/function.zip"),
                List.of(project.resolve("src/main"), project.resolve("pom.xml")),
                List.of(project.resolve("mvnw").toString(), "-B", "-q", "package", "-DskipTests"), project);
    }

    /** The baseline's zip, built by the tools build. */
    public static PackageBuild baseline(Path project) {
        Path module = project.resolve("tools/baseline");
        return new PackageBuild(module.resolve("target/function.zip"),
                List.of(module.resolve("src"), module.resolve("pom.xml"), project.resolve("tools/pom.xml")),
                List.of(project.resolve("mvnw").toString(), "-B", "-q", "-f", project.resolve("tools/pom.xml").toString(),
                        "-pl", "baseline", "package", "-DskipTests"), project);
    }

    public Path zip() {
        return zip;
    }

    /** Whether the zip is missing or older than one of its sources. */
    public boolean stale() {
        if (!Files.isRegularFile(zip)) {
            return true;
        }
        try {
            FileTime built = Files.getLastModifiedTime(zip);
            for (Path source : sources) {
                if (!Files.exists(source)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(source)) {
                    if (files.filter(Files::isRegularFile).anyMatch(f -> newer(f, built))) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean newer(Path file, FileTime than) {
        try {
            return Files.getLastModifiedTime(file).compareTo(than) > 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** Runs the build, its output to this process' stderr; a {@link SetupFailure} naming the command if it fails. */
    public void build() {
        try {
            Process process = new ProcessBuilder(command).directory(workingDir.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new SetupFailure("the build failed (its output is above): " + describe());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String describe() {
        return "(cd " + workingDir + " && " + String.join(" ", command) + ")";
    }
}
