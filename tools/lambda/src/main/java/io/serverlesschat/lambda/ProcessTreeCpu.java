package io.serverlesschat.lambda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * CPU time of a process tree from Linux's /proc, for runs without a cgroup: user + system time of the
 * process and of each live descendant, plus what the children they already waited for used. The kernel
 * counts it in clock ticks (USER_HZ, 100 a second), so it is exact to 10 ms per process at best, and a
 * descendant that exits without being waited for is missed. A {@link FunctionCgroup} counts exactly.
 */
public final class ProcessTreeCpu {

    /** USER_HZ: 100 on every Linux architecture this tool runs on. */
    static final long NANOS_PER_TICK = 10_000_000;

    private ProcessTreeCpu() {
    }

    /** CPU time of {@code root} and its descendants so far, in nanoseconds. */
    public static long cpuNanos(ProcessHandle root) {
        return Stream.concat(Stream.of(root), root.descendants())
                .mapToLong(p -> ticks(p.pid()).orElse(0)).sum() * NANOS_PER_TICK;
    }

    /** utime + stime + cutime + cstime of one process, if it is alive. */
    static OptionalLong ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14 to 17.
            long sum = 0;
            for (int field = 14; field <= 17; field++) {
                sum += Long.parseLong(fields[field - 3]);
            }
            return OptionalLong.of(sum);
        } catch (IOException | RuntimeException gone) {
            return OptionalLong.empty();
        }
    }
}
