package io.serverlesschat.runlocal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Every process bin/local started, however deep (dev mode's Maven forks the Quarkus JVM) and wherever it
 * went: this JVM's descendants, and the other members of the process groups they lead (each child runs in
 * a group of its own, out of a terminal's Ctrl-C, so a process whose parent died is still found by its
 * group). {@link #stop} takes them all down whatever the moment: the shutdown hook runs it once the
 * orderly stop is done, or at once when a signal comes before Ready.
 */
final class OwnProcesses {

    private static volatile boolean stopping;

    private OwnProcesses() {
    }

    /** True once {@link #stop} began: nothing is started again (see {@link Supervised}). */
    static boolean stopping() {
        return stopping;
    }

    /** The processes now: descendants first, then the other members of their groups (Linux: from /proc). */
    static List<ProcessHandle> now() {
        Map<Long, ProcessHandle> found = new LinkedHashMap<>();
        long self = ProcessHandle.current().pid();
        long ownGroup = group(self);
        Set<Long> groups = new HashSet<>();
        ProcessHandle.current().descendants().filter(process -> !zombie(process.pid())).forEach(process -> {
            found.put(process.pid(), process);
            long group = group(process.pid());
            // bin/local's own group may hold what is not its own (a pipe's other end): never swept as a group.
            if (group > 0 && group != ownGroup) {
                groups.add(group);
            }
        });
        if (!groups.isEmpty()) {
            try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
                proc.map(p -> p.getFileName().toString())
                        .filter(name -> name.chars().allMatch(Character::isDigit))
                        .map(Long::parseLong)
                        .filter(pid -> pid != self && !found.containsKey(pid) && groups.contains(group(pid)) && !zombie(pid))
                        .forEach(pid -> ProcessHandle.of(pid).ifPresent(process -> found.put(pid, process)));
            } catch (IOException | RuntimeException noProc) {
                // no /proc (macOS): the descendants are all there is
            }
        }
        return new ArrayList<>(found.values());
    }

    /** The process group of {@code pid} (Linux), or -1 when it is gone or unknown. */
    static long group(long pid) {
        String[] fields = stat(pid);
        try {
            return fields == null ? -1 : Long.parseLong(fields[2]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A process that exited and waits for its parent to collect its status: nothing left to stop. */
    private static boolean zombie(long pid) {
        String[] fields = stat(pid);
        return fields != null && fields[0].equals("Z");
    }

    /** /proc/PID/stat from its state on (state ppid pgrp ...), or null. */
    private static String[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            // pid (comm) state ...: comm may hold spaces and parentheses, so count from the last ')'.
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * SIGTERM to every process of {@link #now()}, SIGKILL to what is left after {@code grace}; again for what
     * started meanwhile, until none is left or twice {@code grace} passed. Returns what could not be stopped.
     */
    static List<ProcessHandle> stop(Duration grace) {
        stopping = true;
        long deadline = System.nanoTime() + 2 * grace.toNanos();
        List<ProcessHandle> left = now();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            left.forEach(ProcessHandle::destroy);
            long killAt = Math.min(deadline, System.nanoTime() + grace.toNanos());
            while (left.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < killAt) {
                pause();
            }
            left.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            long gone = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (left.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < gone) {
                pause();
            }
            left = now();
        }
        return left;
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
