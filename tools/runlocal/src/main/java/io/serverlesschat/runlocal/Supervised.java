package io.serverlesschat.runlocal;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** A part bin/local keeps running: when it exits unasked, one line says so and a new one is started. */
final class Supervised implements AutoCloseable {

    /** A part that ends sooner than this after its start is not restarted again: it would only loop. */
    static final Duration SHORTEST_LIFE = Duration.ofSeconds(3);

    private final String name;
    private final Callable<Running> start;
    private final String back;
    private final Consumer<String> log;
    // True once bin/local stops: the part's exit is then asked for.
    private final BooleanSupplier closing;
    volatile Running current;

    Supervised(String name, Callable<Running> start, String back, Consumer<String> log, BooleanSupplier closing) {
        this.name = name;
        this.start = start;
        this.back = back;
        this.log = log;
        this.closing = closing;
    }

    static Running running(Process process, Runnable stop) {
        return new Running(process.pid(), process.onExit().thenApply(Process::exitValue), stop);
    }

    /** One run of a supervised part: its process id, its end (with the exit status), and how to stop it. */
    record Running(long pid, CompletableFuture<Integer> exited, Runnable stop) {
    }

    Running call() throws Exception {
        current = start.call();
        return current;
    }

    void watch(Running running) {
        current = running;
        long startedAt = System.nanoTime();
        running.exited().thenAcceptAsync(status -> exited(running, status, Duration.ofNanos(System.nanoTime() - startedAt)));
    }

    private void exited(Running running, int status, Duration lived) {
        if (closing.getAsBoolean() || OwnProcesses.stopping() || running != current) {
            return;
        }
        if (lived.compareTo(SHORTEST_LIFE) < 0) {
            log.accept("bin/local: " + name + " exited with status " + status + " " + lived.toMillis()
                    + " ms after its start; not starting it again (see its output above). Fix it, then restart bin/local.");
            return;
        }
        log.accept("bin/local: " + name + " (pid " + running.pid() + ") exited with status " + status + "; starting it again");
        try {
            Running next = call();
            log.accept("bin/local: " + name + " is back (pid " + next.pid() + ")" + (back.isEmpty() ? "" : " " + back));
            watch(next);
        } catch (Exception e) {
            log.accept("bin/local: " + name + " could not be started again: " + e.getMessage()
                    + ". Stop bin/local (Ctrl-C) and start it again.");
        }
    }

    @Override
    public void close() {
        Running running = current;
        if (running != null) {
            running.stop().run();
            running.exited().completeOnTimeout(null, 10, java.util.concurrent.TimeUnit.SECONDS).join();
        }
    }
}
