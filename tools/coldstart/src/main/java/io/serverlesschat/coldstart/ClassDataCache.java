package io.serverlesschat.coldstart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The jvm-cds variant's archive of the application's classes, built by one training cold start (a real
 * $connect with its PutItem), then given to every measured run.
 *
 * <ul>
 * <li>JDK 25 and later: the AOT cache (JEP 483, one-step creation of JEP 514, method profiles of
 * JEP 515): trained with {@code -XX:AOTCacheOutput}, used with {@code -XX:AOTCache} and
 * {@code -XX:AOTMode=on} (a cache the JVM cannot use is then an error, never a silent plain run).</li>
 * <li>JDK 17 to 24: a dynamic AppCDS archive (JEP 350) on top of the JDK's default one: trained with
 * {@code -XX:ArchiveClassesAtExit}, used with {@code -XX:SharedArchiveFile} and {@code -Xshare:on}
 * (same reason).</li>
 * </ul>
 *
 * Both are written when the training JVM exits, so the training run is stopped gracefully. The archive is
 * reused while the zip and the JDK are the same.
 */
public final class ClassDataCache {

    private final Path dir;

    public ClassDataCache(Path dir) {
        this.dir = dir;
    }

    /** What was built, for results.json. */
    public record Built(Path file, long sizeBytes, double trainingMs, boolean reused, List<String> jvmOptions) {
        Map<String, Object> describe(Path project) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("file", Output.display(project, file));
            d.put("sizeBytes", sizeBytes);
            d.put("trainingMs", trainingMs);
            d.put("reused", reused);
            d.put("jvmOptions", jvmOptions.stream().map(o -> o.replace(file.getParent().toString(), Output.display(project,
                    file.getParent()))).toList());
            return d;
        }
    }

    static boolean aotCache(Jdk jdk) {
        return jdk.feature() >= 25;
    }

    /** Options that create the archive at {@code file} when the JVM exits. */
    static List<String> trainingOptions(Jdk jdk, Path file) {
        return aotCache(jdk) ? List.of("-XX:AOTCacheOutput=" + file) : List.of("-XX:ArchiveClassesAtExit=" + file);
    }

    /** Options that run on the archive at {@code file}, and fail rather than run without it. */
    static List<String> runOptions(Jdk jdk, Path file) {
        return aotCache(jdk) ? List.of("-XX:AOTMode=on", "-XX:AOTCache=" + file)
                : List.of("-Xshare:on", "-XX:SharedArchiveFile=" + file);
    }

    /**
     * The archive for {@code target} (a jvm-cds target), training it first unless one of the same zip and
     * JDK exists.
     *
     * @param training runs one cold start with the given JVM options and a graceful stop
     */
    public Built ensure(Target target, Path zip, TrainingRun training) {
        Jdk jdk = target.jdk();
        Path file = dir.resolve(target.function() + "-jdk" + jdk.feature() + (aotCache(jdk) ? ".aot" : ".jsa"));
        Path stamp = dir.resolve(file.getFileName() + ".stamp");
        try {
            Files.createDirectories(dir);
            String identity = zip.toAbsolutePath() + " " + Files.size(zip) + " " + Files.getLastModifiedTime(zip).toMillis()
                    + " " + jdk.home() + " " + jdk.version();
            if (Files.isRegularFile(file) && Files.isRegularFile(stamp) && Files.readString(stamp).equals(identity)) {
                return new Built(file, Files.size(file), 0, true, runOptions(jdk, file));
            }
            Files.deleteIfExists(file);
            Files.deleteIfExists(stamp);
            long start = System.nanoTime();
            Variant.Run run = training.run(trainingOptions(jdk, file));
            double trainingMs = (System.nanoTime() - start) / 1e6;
            if (!run.ok()) {
                throw new IllegalStateException("the training run failed: " + run.error());
            }
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("the training run wrote no archive at " + file);
            }
            Files.writeString(stamp, identity);
            return new Built(file, Files.size(file), trainingMs, false, runOptions(jdk, file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One cold start with extra JVM options, stopped gracefully so that the JVM writes its archive. */
    @FunctionalInterface
    public interface TrainingRun {
        Variant.Run run(List<String> jvmOptions);
    }

    static Duration trainingStopGrace() {
        return Duration.ofSeconds(120);
    }
}
