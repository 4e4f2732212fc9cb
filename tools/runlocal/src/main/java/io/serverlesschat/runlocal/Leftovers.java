package io.serverlesschat.runlocal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * target/local/bin-local.pid: bin/local's process id, its ports and its processes ({@link OwnProcesses}),
 * rewritten while they start and removed once they stopped. A bin/local killed so that it could not stop
 * them (SIGKILL, a crash) leaves it behind; the next one, finding its ports taken, reads it and says whose
 * processes hold them and how to stop them, rather than only that the ports are taken; or, when that
 * bin/local still runs, that it does.
 */
final class Leftovers {

    static final String FILE = "target/local/bin-local.pid";

    /** A process as recorded: its start time tells it from a later process that got its id. */
    record Recorded(long pid, long group, String started, String command) {

        boolean alive() {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> started.equals("-") || started.equals(startOf(p)))
                    .isPresent();
        }

        static Recorded of(ProcessHandle process) {
            String command = process.info().commandLine().or(() -> process.info().command()).orElse("?");
            return new Recorded(process.pid(), OwnProcesses.group(process.pid()), startOf(process),
                    command.length() > 120 ? command.substring(0, 120) + "..." : command);
        }
    }

    private final Path file;
    private String written = "";
    private boolean removed;

    Leftovers(Path project) {
        this.file = project.resolve(FILE);
    }

    /** Records this bin/local with {@code processes} and {@code ports}, when they changed since the last record. */
    synchronized void record(Collection<ProcessHandle> processes, Collection<Integer> ports) {
        if (removed || processes.isEmpty() && written.isEmpty()) {
            return; // nothing of ours runs: an earlier bin/local's record stays until ours replaces it
        }
        ProcessHandle self = ProcessHandle.current();
        StringBuilder text = new StringBuilder("# bin/local's processes while it runs; removed when it stops\n");
        text.append("bin/local ").append(self.pid()).append(' ').append(startOf(self)).append('\n');
        text.append("ports ").append(ports.stream().map(String::valueOf).collect(Collectors.joining(" "))).append('\n');
        for (ProcessHandle process : processes) {
            Recorded r = Recorded.of(process);
            text.append("process ").append(r.pid()).append(' ').append(r.group()).append(' ').append(r.started())
                    .append(' ').append(r.command().replace('\n', ' ')).append('\n');
        }
        if (text.toString().equals(written)) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Path next = file.resolveSibling(file.getFileName() + ".next");
            Files.writeString(next, text, StandardCharsets.UTF_8);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written = text.toString();
        } catch (IOException e) {
            // a record is a courtesy to the next run: never a reason to stop this one
        }
    }

    /** Removes this bin/local's record (once its processes stopped). */
    synchronized void remove() {
        removed = true;
        if (!written.isEmpty()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // as above
            }
        }
    }

    /**
     * What an earlier bin/local left running, as its record says (read before this one records itself), when
     * one of {@code taken} is its port and some of its processes are alive: one line with their ids and how to
     * stop them.
     */
    Optional<String> explain(List<Integer> taken, String takenText) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException none) {
            return Optional.empty();
        }
        String owner = "?";
        String ownerStarted = "-";
        Set<Integer> ports = new LinkedHashSet<>();
        List<Recorded> alive = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ", 5);
            try {
                if (f[0].equals("bin/local") && f.length >= 2) {
                    owner = f[1];
                    ownerStarted = f.length >= 3 ? f[2] : "-";
                } else if (f[0].equals("ports")) {
                    for (int i = 1; i < f.length; i++) {
                        ports.addAll(java.util.Arrays.stream(f[i].split(" ")).filter(s -> !s.isBlank()).map(Integer::valueOf).toList());
                    }
                } else if (f[0].equals("process") && f.length == 5) {
                    Recorded r = new Recorded(Long.parseLong(f[1]), Long.parseLong(f[2]), f[3], f[4]);
                    if (r.alive()) {
                        alive.add(r);
                    }
                }
            } catch (NumberFormatException damaged) {
                return Optional.empty();
            }
        }
        if (alive.isEmpty() || taken.stream().noneMatch(ports::contains)
                || owner.equals(Long.toString(ProcessHandle.current().pid()))) {
            return Optional.empty();
        }
        if (owner.matches("[0-9]+") && new Recorded(Long.parseLong(owner), 0, ownerStarted, "").alive()) {
            // Not leftovers: that bin/local runs, in another terminal or in the background, and stops its own.
            return Optional.of(takenText + " taken by another bin/local, still running (pid " + owner + "): stop it with"
                    + " Ctrl-C in its terminal, or kill " + owner + ", or give this one other ports (bin/local --help)");
        }
        Set<String> kill = new LinkedHashSet<>();
        for (Recorded r : alive) {
            // a whole group where it is the process' own; the process alone where it shares bin/local's
            kill.add(r.group() > 0 && alive.stream().anyMatch(o -> o.pid() == r.group()) ? "-" + r.group() : Long.toString(r.pid()));
        }
        return Optional.of(takenText + " taken by what an earlier bin/local (pid " + owner + ") left running when it was"
                + " stopped before it could stop them: " + alive.stream().map(r -> r.pid() + " (" + name(r.command()) + ")")
                .collect(Collectors.joining(", ")) + ". Stop them with: kill -- " + String.join(" ", kill)
                + " (their record: " + FILE + ")");
    }

    /** The program's file name: "java", "moto_server", "mvnw". */
    private static String name(String command) {
        String program = command.split(" ", 2)[0];
        String base = program.substring(program.lastIndexOf('/') + 1);
        if (base.startsWith("python") && command.split(" ").length > 1) {
            String script = command.split(" ")[1];
            return script.substring(script.lastIndexOf('/') + 1);
        }
        return base;
    }

    private static String startOf(ProcessHandle process) {
        return process.info().startInstant().map(Object::toString).orElse("-");
    }
}
