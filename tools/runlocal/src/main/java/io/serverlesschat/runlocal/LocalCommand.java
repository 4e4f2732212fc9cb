package io.serverlesschat.runlocal;

import io.serverlesschat.localdev.SetupFailure;
import java.nio.file.Path;
import java.util.List;

/**
 * bin/local: starts {@link RunLocal} with the command line's {@link LocalOptions}, says how to use it,
 * and stops it all on Ctrl-C (the JVM's shutdown hook), open sockets' $disconnect first. A failure to
 * start is one line on stderr and a non-zero status: 2 for a bad option, parameter or template, 1 otherwise.
 */
public final class LocalCommand {

    private LocalCommand() {
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            System.out.println(LocalOptions.USAGE);
            return;
        }
        Path project = Path.of(System.getProperty("project.dir", ".")).toAbsolutePath().normalize();
        LocalOptions options;
        try {
            options = LocalOptions.parse(args, project);
        } catch (IllegalArgumentException e) {
            exit(2, e.getMessage() + " (bin/local --help lists the options)");
            return;
        }
        // Whatever ends bin/local from here on (Ctrl-C, SIGTERM, a failed start) stops every process it started.
        Leftovers record = new Leftovers(project);
        StopAtExit stop = StopAtExit.install(record, options);
        RunLocal local;
        try {
            local = RunLocal.start(options, System.out::println);
        } catch (PortsTaken e) {
            exit(1, record.explain(e.ports(), e.described()).orElse(e.getMessage()));
            return;
        } catch (SamTemplate.BadParameter | SamTemplate.BadTemplate e) {
            exit(2, e.getMessage());
            return;
        } catch (SetupFailure e) {
            exit(1, e.getMessage());
            return;
        } catch (Exception e) {
            if (stop.stopping()) {
                return; // a signal stopped the start midway: the shutdown hook is at work, nothing to add
            }
            throw e;
        }
        if (stop.ready(local)) {
            System.out.println(ReadyBanner.of(local));
        }
        Thread.currentThread().join();
    }

    private static void exit(int status, String message) {
        if (OwnProcesses.stopping()) {
            return; // a signal ended the start, not this failure
        }
        System.err.println("bin/local: " + message);
        System.exit(status);
    }
}
