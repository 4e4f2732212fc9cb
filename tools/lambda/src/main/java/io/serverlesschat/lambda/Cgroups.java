package io.serverlesschat.lambda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The machine's cgroups, for giving one function process the CPU and memory Lambda would give it
 * ({@link FunctionCgroup}). cgroup v2 when its {@code cpu} and {@code memory} controllers are available,
 * else cgroup v1 with {@code cpu}, {@code cpuacct} and {@code memory} mounted.
 *
 * <p>Every group is named {@value #PREFIX}{@code -<pid of this JVM>-<n>} at the top of each hierarchy. The
 * groups of this JVM are removed when it exits, also on SIGINT or SIGTERM (a shutdown hook, ours or the
 * caller's, kills what runs in them); {@link #removeStale()} removes those whose JVM died without running the hook (SIGKILL, a crash).
 */
public final class Cgroups {

    public static final String PREFIX = "serverlesschat-bench";

    /** A group of ours: the prefix, the pid of the process that made it, and anything after. */
    private static final Pattern OURS = Pattern.compile(Pattern.quote(PREFIX) + "-(\\d+)-.+");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static volatile boolean shuttingDown;
    private static Thread hook;
    private static boolean callerRemoves; // guarded by Cgroups.class

    private final CgroupVersion version;
    /** v1: controller name to its mount; v2: the single entry "unified". */
    private final Map<String, Path> roots;

    Cgroups(CgroupVersion version, Map<String, Path> roots) {
        this.version = version;
        this.roots = Map.copyOf(roots);
    }

    /** Why cgroups cannot be used here, in one line. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** The cgroups of this machine, checked to be writable (a probe group is made and removed). */
    public static Cgroups detect() throws Unavailable {
        Cgroups cgroups = fromMountInfo(Path.of("/proc/self/mountinfo"));
        cgroups.probe();
        return cgroups;
    }

    /** The hierarchies /proc/self/mountinfo describes; v2 is taken when it offers cpu and memory. */
    static Cgroups fromMountInfo(Path mountInfo) throws Unavailable {
        List<String> lines;
        try {
            lines = Files.readAllLines(mountInfo);
        } catch (IOException e) {
            throw new Unavailable("no " + mountInfo + " (cgroups need Linux)");
        }
        Map<String, Path> v1 = new LinkedHashMap<>();
        Path v2 = null;
        List<String> readOnly = new ArrayList<>();
        for (String line : lines) {
            String[] halves = line.split(" - ", 2);
            if (halves.length < 2) {
                continue;
            }
            String[] mount = halves[0].split(" ");
            String[] fs = halves[1].split(" ");
            if (mount.length < 6 || fs.length < 3) {
                continue;
            }
            Path point = Path.of(mount[4].replace("\\040", " "));
            boolean ro = List.of(mount[5].split(",")).contains("ro");
            if (fs[0].equals("cgroup2")) {
                if (ro) {
                    readOnly.add(point.toString());
                } else {
                    v2 = point;
                }
            } else if (fs[0].equals("cgroup")) {
                for (String option : fs[2].split(",")) {
                    if (List.of("cpu", "cpuacct", "memory").contains(option)) {
                        if (ro) {
                            readOnly.add(point.toString());
                        } else {
                            v1.putIfAbsent(option, point);
                        }
                    }
                }
            }
        }
        if (v2 != null && controllers(v2).containsAll(List.of("cpu", "memory"))) {
            return new Cgroups(CgroupVersion.V2, Map.of("unified", v2));
        }
        if (v1.keySet().containsAll(List.of("cpu", "cpuacct", "memory"))) {
            return new Cgroups(CgroupVersion.V1, v1);
        }
        if (!readOnly.isEmpty()) {
            throw new Unavailable("the cgroup filesystem is mounted read-only (" + String.join(", ", readOnly) + ")");
        }
        throw new Unavailable("no cgroup v2 with the cpu and memory controllers and no cgroup v1 cpu, cpuacct and memory"
                + " controllers are mounted" + (v2 != null ? " (cgroup v2 at " + v2 + " offers " + controllers(v2) + ")" : ""));
    }

    private static Set<String> controllers(Path v2Root) {
        try {
            return Set.of(Files.readString(v2Root.resolve("cgroup.controllers")).trim().split("\\s+"));
        } catch (IOException e) {
            return Set.of();
        }
    }

    /** Makes and removes a group, so that a missing permission shows now, in one line. */
    private void probe() throws Unavailable {
        Path probe = null;
        try {
            if (version == CgroupVersion.V2) {
                enableV2Controllers();
            }
            for (Path root : distinctRoots()) {
                probe = root.resolve(PREFIX + "-" + ProcessHandle.current().pid() + "-probe");
                Files.createDirectory(probe);
                Files.delete(probe);
                probe = null;
            }
        } catch (AccessDeniedException e) {
            throw new Unavailable("cannot create a cgroup in " + e.getFile() + ": permission denied (it needs root)");
        } catch (FileSystemException e) {
            throw new Unavailable("cannot create a cgroup in " + e.getFile() + ": " + e.getReason());
        } catch (IOException e) {
            throw new Unavailable("cannot create a cgroup: " + e.getMessage());
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // removeStale() takes it next time
                }
            }
        }
    }

    /** v2 hands a controller to child groups only when the parent's subtree_control lists it. */
    private void enableV2Controllers() throws IOException {
        Path root = roots.get("unified");
        Path subtree = root.resolve("cgroup.subtree_control");
        Set<String> enabled = Set.of(Files.readString(subtree).trim().split("\\s+"));
        if (!enabled.containsAll(List.of("cpu", "memory"))) {
            Files.writeString(subtree, "+cpu +memory");
        }
    }

    public CgroupVersion version() {
        return version;
    }

    /** e.g. "cgroup v1 (cpu, cpuacct, memory under /sys/fs/cgroup)", for results.json. */
    public String describe() {
        return version == CgroupVersion.V2 ? "cgroup v2 (" + roots.get("unified") + ")"
                : "cgroup v1 (" + String.join(", ", roots.keySet()) + ")";
    }

    Map<String, Path> roots() {
        return roots;
    }

    private List<Path> distinctRoots() {
        return List.copyOf(new LinkedHashSet<>(roots.values()));
    }

    /**
     * A new, empty group for one function process, without limits yet. It is removed by
     * {@link FunctionCgroup#close()}, or at the latest when this JVM exits.
     */
    public FunctionCgroup create() {
        String name = PREFIX + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        synchronized (Cgroups.class) {
            if (shuttingDown) {
                throw new IllegalStateException("shutting down: no new cgroups");
            }
            if (hook == null && !callerRemoves) {
                hook = new Thread(Cgroups::removeAllOfThisJvm, "cgroup-cleanup");
                Runtime.getRuntime().addShutdownHook(hook);
            }
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        roots.forEach((controller, root) -> dirs.put(controller, root.resolve(name)));
        FunctionCgroup group = FunctionCgroup.live(version, name, dirs);
        try {
            for (Path dir : new LinkedHashSet<>(dirs.values())) {
                Files.createDirectory(dir);
            }
        } catch (IOException e) {
            group.close();
            throw new UncheckedIOException("cannot create the cgroup " + name, e);
        }
        return group;
    }

    /**
     * For a program whose own shutdown hook stops its functions in order (bin/local delivers every $disconnect
     * first): no hook of ours, which would kill every function process at once, beside it. That hook calls
     * {@link #removeAllOfThisJvm()} last.
     */
    public static synchronized void removedByCallerAtExit() {
        callerRemoves = true;
    }

    /** Kills what still runs in this JVM's groups and removes them; no group is made after it. */
    public static void removeAllOfThisJvm() {
        synchronized (Cgroups.class) {
            shuttingDown = true;
        }
        FunctionCgroup.closeAll();
    }

    /**
     * Removes the groups of ours whose process is gone (a benchmark killed with SIGKILL, a crash), first
     * killing whatever still runs in them. Groups of live processes, this one's or another benchmark's
     * running at the same time, are left alone.
     *
     * @return the names of the groups removed
     */
    public List<String> removeStale() {
        Set<String> removed = new LinkedHashSet<>();
        Map<String, List<Path>> stale = new LinkedHashMap<>();
        for (Path root : distinctRoots()) {
            try (Stream<Path> children = Files.list(root)) {
                children.filter(Files::isDirectory).forEach(dir -> {
                    Matcher m = OURS.matcher(dir.getFileName().toString());
                    if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                        stale.computeIfAbsent(dir.getFileName().toString(), n -> new ArrayList<>()).add(dir);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        stale.forEach((name, dirs) -> {
            Map<String, Path> byController = new LinkedHashMap<>();
            for (int i = 0; i < dirs.size(); i++) {
                byController.put("dir" + i, dirs.get(i));
            }
            new FunctionCgroup(version, name, byController).close();
            removed.add(name);
        });
        return List.copyOf(removed);
    }

    /** The pids in the group {@code name} of ours (made by any process), none when it does not exist. */
    public Set<Long> pids(String name) {
        if (!OURS.matcher(name).matches()) {
            throw new IllegalArgumentException("not a group of ours: " + name);
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        roots.forEach((controller, root) -> dirs.put(controller, root.resolve(name)));
        return new FunctionCgroup(version, name, dirs).pids();
    }

    /** The groups of ours that exist now, by name (all hierarchies). */
    public Set<String> existing() {
        Set<String> names = new LinkedHashSet<>();
        for (Path root : distinctRoots()) {
            try (Stream<Path> children = Files.list(root)) {
                children.map(p -> p.getFileName().toString()).filter(n -> OURS.matcher(n).matches()).forEach(names::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        return names;
    }
}
