package io.serverlesschat.runlocal;

import io.serverlesschat.lambda.Cgroups;
import java.time.Duration;
import java.util.List;

/**
 * bin/local's shutdown hook, in place before its first child starts, so that a signal at any moment (SIGINT
 * to the group or to bin/local alone, SIGTERM from kill or timeout) leaves no process behind: every child
 * ignores a terminal's Ctrl-C and runs in a process group of its own, out of the terminal's reach, so
 * nothing else stops them. After Ready the orderly stop comes first ({@link RunLocal#close}: every open
 * socket's $disconnect still reaches its function); then, or at once before Ready, {@link OwnProcesses#stop}
 * takes down whatever is left. While children run, {@link Leftovers} keeps their record, for a next bin/local
 * to name them if this one is killed outright (SIGKILL).
 */
final class StopAtExit {

    /** How long a process gets to stop after SIGTERM before SIGKILL. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private final Leftovers record;
    private final List<Integer> ports;
    private RunLocal local; // guarded by this
    private boolean stopping; // guarded by this

    private StopAtExit(Leftovers record, LocalOptions options) {
        this.record = record;
        this.ports = List.of(options.gatewayPort(), options.dynamoPort(), options.devPort(), options.issuerPort()).stream()
                .filter(port -> port != 0).toList();
    }

    static StopAtExit install(Leftovers record, LocalOptions options) {
        StopAtExit stop = new StopAtExit(record, options);
        // The functions' cgroups go last, after the $disconnects: a hook of their own would kill the functions at once.
        Cgroups.removedByCallerAtExit();
        Runtime.getRuntime().addShutdownHook(new Thread(stop::run, "bin/local-stop"));
        Thread recorder = new Thread(stop::keepRecord, "bin/local-record");
        recorder.setDaemon(true);
        recorder.start();
        return stop;
    }

    /** bin/local is ready: from now on its stop begins with {@link RunLocal#close}. False once a stop began. */
    synchronized boolean ready(RunLocal started) {
        if (stopping) {
            return false;
        }
        local = started;
        return true;
    }

    synchronized boolean stopping() {
        return stopping;
    }

    private void run() {
        RunLocal started;
        synchronized (this) {
            stopping = true;
            started = local;
        }
        if (started != null) {
            started.close();
        }
        List<ProcessHandle> left = OwnProcesses.stop(GRACE);
        Cgroups.removeAllOfThisJvm();
        if (left.isEmpty()) {
            record.remove();
        } else {
            System.err.println("bin/local: could not stop " + left.stream().map(p -> Long.toString(p.pid())).toList()
                    + " (see " + Leftovers.FILE + ")");
        }
    }

    /** Rewrites the record once a second while processes start and stop. */
    private void keepRecord() {
        while (!OwnProcesses.stopping()) {
            record.record(OwnProcesses.now(), ports);
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
