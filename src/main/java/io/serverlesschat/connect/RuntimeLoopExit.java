package io.serverlesschat.connect;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * A Lambda runtime whose loop has ended must exit, and not with success. The native build's poll loop
 * (Quarkus' Lambda extension) stops the application when the Runtime API cannot be reached or fails,
 * logs it and ends, but nothing tells the main thread, which goes on waiting for a shutdown request:
 * the process would stay up doing nothing. This asks for that exit, with status 1, whenever the
 * application stops without the process being on its way out already (a signal, {@code System.exit}).
 * On the JVM the runtime interface client owns the loop and exits by itself (status 1); there the
 * request is harmless, as nothing waits on it.
 */
@Singleton
class RuntimeLoopExit {

    /** The exit status of a process whose runtime loop ended: Lambda reports it as a runtime failure. */
    static final int LOOP_ENDED = 1;

    void onStop(@Observes ShutdownEvent stop) {
        if (shouldExit(LaunchMode.current(), ApplicationLifecycleManager.isVmShuttingDown())) {
            Quarkus.asyncExit(LOOP_ENDED);
        }
    }

    /** Dev and test mode stop the application for restarts and at the end of a test run: never exit there. */
    static boolean shouldExit(LaunchMode mode, boolean vmShuttingDown) {
        return mode == LaunchMode.NORMAL && !vmShuttingDown;
    }
}
