package io.serverlesschat.lambda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Peak resident memory of a process and its descendants, from Linux's /proc: each process' own
 * high-water mark (VmHWM), sampled while it runs so that children that exit early still count.
 * The peak of the tree is the sum of those marks: exact for a single process (a JVM on the runtime
 * client, a native bootstrap), an upper bound when several processes peaked at different moments.
 */
public final class ProcessTreeMemory implements AutoCloseable {

    private final ProcessHandle root;
    private final Map<Long, Long> peakKbByPid = new ConcurrentHashMap<>();
    private final Thread sampler;
    private volatile boolean running = true;

    public ProcessTreeMemory(ProcessHandle root, Duration interval) {
        this.root = root;
        this.sampler = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler-" + root.pid());
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Samples now and returns the tree's peak so far in KiB; call it before the processes are stopped. */
    public long peakKb() {
        sample();
        return peakKbByPid.values().stream().mapToLong(Long::longValue).sum();
    }

    private void sample() {
        Stream.concat(Stream.of(root), root.descendants()).forEach(p -> vmHwmKb(p.pid())
                .ifPresent(kb -> peakKbByPid.merge(p.pid(), kb, Math::max)));
    }

    /** A process' peak resident set (VmHWM) in KiB, if it is alive and this is Linux. */
    public static OptionalLong vmHwmKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return OptionalLong.of(Long.parseLong(line.substring(6).replace("kB", "").trim()));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // exited, or not Linux
        }
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
