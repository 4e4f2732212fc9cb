package io.serverlesschat.localdev;

import java.util.ArrayList;
import java.util.List;

/**
 * Ctrl-C in a terminal sends SIGINT to every process of the foreground process group: to a local
 * tool and to every process it started. A tool that still needs its children while it shuts down
 * (bin/local delivers $disconnect to its functions after Ctrl-C) starts them out of the terminal's
 * reach, and stops them itself (SIGTERM) when it is done.
 *
 * <p>Java cannot start a process in a group of its own, and macOS has no setsid command: the child is
 * started through /bin/sh with SIGINT ignored, then through perl (on macOS and every Linux) into a
 * process group of its own, then exec'd (its process id stays). The group is what keeps moto out:
 * moto_server installs a SIGINT handler of its own. Ignoring is what keeps JVMs out where there is no
 * perl: a signal ignored at exec stays ignored, and the JVM then installs no handler for it.
 */
public final class CtrlC {

    // PERL_BADLANG=0: no warning where the child's LANG names a locale this machine lacks.
    private static final String OUT_OF_REACH = "trap '' INT; command -v perl >/dev/null 2>&1"
            + " && PERL_BADLANG=0 exec perl -e 'delete $ENV{PERL_BADLANG}; setpgrp(0, 0);"
            + " exec { $ARGV[0] } @ARGV or die \"cannot run $ARGV[0]: $!\\n\"' \"$@\"; exec \"$@\"";

    private CtrlC() {
    }

    /** {@code command}, started where a terminal's Ctrl-C does not reach it; it keeps its process id. */
    public static List<String> ignoredBy(List<String> command) {
        List<String> shielded = new ArrayList<>(List.of("/bin/sh", "-c", OUT_OF_REACH, "sh"));
        shielded.addAll(command);
        return shielded;
    }
}
