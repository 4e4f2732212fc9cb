package io.serverlesschat.lambda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running function process started by {@link FunctionLauncher}: when it was exec'd, its CPU time and
 * peak memory, its output, and a stop that takes its whole process tree down with it. Started in a
 * {@link FunctionCgroup}, it owns the group: CPU time comes from the group's exact accounting, and
 * {@link #close()} removes the group.
 */
public final class FunctionProcess implements AutoCloseable {

    private final Process process;
    private final long startNanos;
    private final Path output;
    private final ProcessTreeMemory memory;
    private final FunctionCgroup cgroup;

    FunctionProcess(Process process, long startNanos, Path output, FunctionCgroup cgroup) {
        this.process = process;
        this.startNanos = startNanos;
        this.output = output;
        this.cgroup = cgroup;
        this.memory = new ProcessTreeMemory(process.toHandle(), Duration.ofMillis(50));
    }

    /** System.nanoTime() taken just before the process was started. */
    public long startNanos() {
        return startNanos;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Completes when the process ends (by itself or stopped), with its exit code. */
    public CompletableFuture<Integer> onExit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    /** The exit code once the process has ended. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Peak resident memory of the process tree so far, KiB (see {@link ProcessTreeMemory}). */
    public long peakRssKb() {
        return memory.peakKb();
    }

    /**
     * User + system CPU time of the process tree since exec, in nanoseconds: exact from the cgroup, else
     * from /proc in 10 ms ticks ({@link ProcessTreeCpu}). Cheap enough to call from a Runtime API hook.
     */
    public long cpuNanos() {
        return cgroup != null ? cgroup.cpuNanos() : ProcessTreeCpu.cpuNanos(process.toHandle());
    }

    /** Where {@link #cpuNanos()} comes from, for reports. */
    public String cpuSource() {
        return cgroup != null ? "cgroup CPU accounting of the function's process tree (exact)"
                : "/proc/<pid>/stat of the function's process tree (10 ms ticks, approximate)";
    }

    /** The cgroup the process runs in, if it was started in one. */
    public Optional<FunctionCgroup> cgroup() {
        return Optional.ofNullable(cgroup);
    }

    /** The file that receives the process' stdout and stderr. */
    public Path output() {
        return output;
    }

    /** The last {@code lines} lines of the process' output, for error messages. */
    public String outputTail(int lines) {
        try {
            List<String> all = Files.readAllLines(output, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** Asks the tree to stop (SIGTERM), then kills what is left after {@code grace}. */
    public void stop(Duration grace) {
        memory.close();
        List<ProcessHandle> tree = process.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the tree at once, as Lambda does to an environment it reclaims, and removes its cgroup. */
    @Override
    public void close() {
        stop(Duration.ZERO);
        if (cgroup != null) {
            cgroup.close();
        }
    }
}
