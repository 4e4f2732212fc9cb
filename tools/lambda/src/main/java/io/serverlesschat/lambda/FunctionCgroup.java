package io.serverlesschat.lambda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * One cgroup for one function process (made by the machine's cgroups, {@code Cgroups.create()}): the CPU and memory limits
 * Lambda would set, the exact CPU time of everything that runs in it, its peak memory and whether the
 * kernel killed it for memory. The process enters it before it runs an instruction of its own
 * ({@link #wrap}), so its CPU time counts from exec.
 *
 * <table>
 * <caption>Files used</caption>
 * <tr><th></th><th>cgroup v1</th><th>cgroup v2</th></tr>
 * <tr><td>CPU limit</td><td>cpu.cfs_quota_us / cpu.cfs_period_us</td><td>cpu.max</td></tr>
 * <tr><td>CPU weight</td><td>cpu.shares</td><td>cpu.weight</td></tr>
 * <tr><td>CPU time</td><td>cpuacct.usage</td><td>cpu.stat usage_usec</td></tr>
 * <tr><td>memory limit (no swap)</td><td>memory.limit_in_bytes, memory.memsw.limit_in_bytes</td><td>memory.max, memory.swap.max</td></tr>
 * <tr><td>peak memory</td><td>memory.max_usage_in_bytes</td><td>memory.peak</td></tr>
 * <tr><td>OOM kills</td><td>memory.oom_control oom_kill</td><td>memory.events oom_kill</td></tr>
 * </table>
 */
public final class FunctionCgroup implements AutoCloseable {

    /** The CFS period: Lambda's share is a quota per 100 ms. */
    public static final long PERIOD_US = 100_000;

    /** Every group not yet closed: what the JVM's shutdown removes at the latest ({@link #closeAll}). */
    private static final Set<FunctionCgroup> LIVE = ConcurrentHashMap.newKeySet();

    private final CgroupVersion version;
    private final String name;
    private final Map<String, Path> dirs;
    private volatile boolean closed;

    FunctionCgroup(CgroupVersion version, String name, Map<String, Path> dirs) {
        this.version = version;
        this.name = name;
        this.dirs = Map.copyOf(dirs);
    }

    /** A group that is removed when this JVM exits, if it was not closed before. */
    static FunctionCgroup live(CgroupVersion version, String name, Map<String, Path> dirs) {
        FunctionCgroup group = new FunctionCgroup(version, name, dirs);
        LIVE.add(group);
        return group;
    }

    /** Closes every live group: the JVM is exiting. */
    static void closeAll() {
        for (FunctionCgroup group : List.copyOf(LIVE)) {
            group.close();
        }
    }

    public String name() {
        return name;
    }

    private Path dir(String controller) {
        return version == CgroupVersion.V2 ? dirs.get("unified") : dirs.get(controller);
    }

    private Set<Path> allDirs() {
        return new LinkedHashSet<>(dirs.values());
    }

    /** At most {@code megabytes} of memory, and no swap (Lambda has none). */
    public void limitMemory(int megabytes) {
        long bytes = megabytes * 1024L * 1024L;
        if (version == CgroupVersion.V2) {
            write(dir("memory").resolve("memory.max"), Long.toString(bytes));
            writeIfPresent(dir("memory").resolve("memory.swap.max"), "0");
        } else {
            write(dir("memory").resolve("memory.limit_in_bytes"), Long.toString(bytes));
            writeIfPresent(dir("memory").resolve("memory.memsw.limit_in_bytes"), Long.toString(bytes));
        }
    }

    /** At most {@code cpus} CPUs' worth of time per {@value #PERIOD_US} us (0.145 = 14,500 us). */
    public void limitCpu(double cpus) {
        long quota = Math.max(1000, Math.round(cpus * PERIOD_US)); // the kernel's minimum quota is 1 ms
        if (version == CgroupVersion.V2) {
            write(dir("cpu").resolve("cpu.max"), quota + " " + PERIOD_US);
        } else {
            write(dir("cpu").resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
            write(dir("cpu").resolve("cpu.cfs_quota_us"), Long.toString(quota));
        }
    }

    /**
     * The most CPU weight the kernel gives a group, so that the machine's other work takes as little CPU
     * from the function as the scheduler allows: on Lambda a function's vCPUs are its own, and a JVM's
     * start-up CPU time depends on how much its JIT threads get beside its main thread.
     */
    public void prioritiseCpu() {
        if (version == CgroupVersion.V2) {
            write(dir("cpu").resolve("cpu.weight"), "10000");
        } else {
            write(dir("cpu").resolve("cpu.shares"), "262144");
        }
    }

    /** No CPU limit: the group may use every core of the machine. */
    public void unlimitCpu() {
        if (version == CgroupVersion.V2) {
            write(dir("cpu").resolve("cpu.max"), "max " + PERIOD_US);
        } else {
            write(dir("cpu").resolve("cpu.cfs_quota_us"), "-1");
        }
    }

    /**
     * {@code command} started through a shell that first moves itself into this group and then execs the
     * command, which therefore starts inside the group with the shell's pid.
     */
    public List<String> wrap(List<String> command) {
        String enter = allDirs().stream().map(d -> "echo $$ > '" + d.resolve("cgroup.procs") + "'")
                .collect(Collectors.joining(" && "));
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", enter + " && exec \"$@\"", "sh"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** User + system CPU time of everything that ran in the group so far, in nanoseconds. */
    public long cpuNanos() {
        if (version == CgroupVersion.V2) {
            return keyed(dir("cpu").resolve("cpu.stat"), "usage_usec") * 1000;
        }
        return Long.parseLong(read(dir("cpuacct").resolve("cpuacct.usage")));
    }

    /** The most memory the group was charged at any moment (what its limit counts), if the kernel says. */
    public OptionalLong peakMemoryBytes() {
        Path file = version == CgroupVersion.V2 ? dir("memory").resolve("memory.peak")
                : dir("memory").resolve("memory.max_usage_in_bytes");
        return Files.exists(file) ? OptionalLong.of(Long.parseLong(read(file))) : OptionalLong.empty();
    }

    /** How many processes of the group the kernel's OOM killer killed. */
    public long oomKills() {
        Path file = version == CgroupVersion.V2 ? dir("memory").resolve("memory.events")
                : dir("memory").resolve("memory.oom_control");
        return keyed(file, "oom_kill");
    }

    /** The pids in the group now. */
    public Set<Long> pids() {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path dir : allDirs()) {
            try {
                for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                    if (!line.isBlank()) {
                        pids.add(Long.parseLong(line.trim()));
                    }
                }
            } catch (NoSuchFileException gone) {
                // removed already
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pids;
    }

    /**
     * Kills whatever still runs in the group and removes it from every hierarchy. Idempotent; never
     * throws (it runs in shutdown hooks and finally blocks), but says on stderr what it could not remove.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                Set<Long> pids = pids();
                if (pids.isEmpty()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    System.err.println("cgroup " + name + ": processes " + pids + " did not die; left in place");
                    return;
                }
                pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                Thread.sleep(10);
            }
            for (Path dir : allDirs()) {
                removeDir(dir, deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("cgroup " + name + ": interrupted while removing it");
        } catch (RuntimeException e) {
            System.err.println("cgroup " + name + ": not removed: " + e);
        } finally {
            LIVE.remove(this);
        }
    }

    /** rmdir, retried while the kernel still reports the group busy (a task on its way out). */
    private static void removeDir(Path dir, long deadline) throws InterruptedException {
        while (true) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException busy) {
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException(busy);
                }
                Thread.sleep(10);
            }
        }
    }

    private static long keyed(Path file, String key) {
        for (String line : read(file).split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[0].equals(key)) {
                return Long.parseLong(parts[1]);
            }
        }
        throw new IllegalStateException(file + " has no " + key);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + value + " to " + file, e);
        }
    }

    private static void writeIfPresent(Path file, String value) {
        if (Files.exists(file)) {
            write(file, value);
        }
    }
}
