package io.serverlesschat.localdev;

import java.util.ArrayList;
import java.util.List;

/**
 * Ctrl-C in a terminal sends SIGINT to every process of the foreground process group: to a local
 * tool and to every process it started. A tool that still needs its children while it shuts down
 * (bin/local delivers $disconnect to its functions after Ctrl-C) starts them with SIGINT ignored, and
 * stops them itself (SIGTERM) when it is done. A signal ignored at exec stays ignored: the JVM and
 * Python install no SIGINT handler of their own then. Java cannot start a process in a group of its
 * own, and macOS has no setsid command; /bin/sh is everywhere.
 */
public final class CtrlC {

    private CtrlC() {
    }

    /** {@code command}, run through /bin/sh with SIGINT ignored; exec keeps the process id. */
    public static List<String> ignoredBy(List<String> command) {
        List<String> shielded = new ArrayList<>(List.of("/bin/sh", "-c", "trap '' INT; exec \"$@\"", "sh"));
        shielded.addAll(command);
        return shielded;
    }
}
