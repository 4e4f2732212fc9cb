package io.serverlesschat.local;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * One function's execution environments, run as Lambda runs them: an event goes to a free environment
 * (the one freed last, as Lambda reuses the warmest); when none is free and fewer than {@code limit}
 * run, a new one is started for it (a cold start, logged with its init time) and kept for later
 * events. Beyond the limit an event waits for the next free environment ({@link OverLimit#QUEUE}) or is
 * refused at once ({@link OverLimit#THROTTLE}: Lambda's 429 TooManyRequestsException at a function's
 * reserved concurrency). An environment whose process exits is dropped; the next event that finds no
 * free one starts another. Every event is answered: by the function, or with a status that says why not.
 */
public final class ExecutionEnvironments implements AutoCloseable {

    /** One execution environment: a function process that takes one event at a time. */
    public interface Environment {
        long pid();

        /** Completes when the function's init is done (its first poll for an event); fails with {@link InitFailure}. */
        CompletableFuture<Void> initialised();

        /** Hands the event to the function; completes with its answer, or a status saying why there is none. */
        CompletableFuture<Result> invoke(String event);

        /** Completes with the exit status when the process ends. */
        CompletableFuture<Integer> exited();

        /** Stops the process (SIGTERM, then SIGKILL) and what serves it. */
        void stop();
    }

    /** Starts environment number {@code number} (1, 2, ...); its init begins now. */
    @FunctionalInterface
    public interface Starter {
        Environment start(int number) throws Exception;
    }

    /** What happens to an event that finds every environment busy at the limit. */
    public enum OverLimit {
        /** It waits for the next free environment (its caller bounds the wait). */
        QUEUE,
        /** It is refused with 429, as Lambda throttles a function at its reserved concurrency. */
        THROTTLE
    }

    /**
     * An answer as the Runtime API emulator gives it: 200 with the function's response, 500 with its
     * error document, 502 when the function's process ended without an answer, 429 when throttled.
     */
    public record Result(int status, String body) {
        public static final int THROTTLED = 429;
        public static final int NO_ANSWER = 502;
    }

    /** A function's init failed: {@code reason} is one line (the function's own message where it gave one). */
    public static final class InitFailure extends RuntimeException {
        private final String reason;

        public InitFailure(String reason) {
            super(reason);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    private record Pending(String event, CompletableFuture<Result> answer) {
    }

    private final String name;
    private final int limit;
    private final OverLimit overLimit;
    private final Starter starter;
    private final Consumer<String> log;
    private final ExecutorService starts = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "environment-start");
        thread.setDaemon(true);
        return thread;
    });
    // Guarded by this. Every environment whose process was started and has not exited, in init or running:
    private final List<Environment> alive = new ArrayList<>();
    private final List<Environment> running = new ArrayList<>();
    private final Deque<Environment> free = new ArrayDeque<>();
    private final Deque<Pending> waiting = new ArrayDeque<>();
    private int starting;
    private int started;
    private int peak;
    private boolean saidFull;
    private boolean draining;
    private boolean closed;

    /**
     * @param name  the function's name, for log lines
     * @param limit the most environments that run at once (at least 1)
     */
    public ExecutionEnvironments(String name, int limit, OverLimit overLimit, Starter starter, Consumer<String> log) {
        if (limit < 1) {
            throw new IllegalArgumentException("a function needs at least 1 execution environment, not " + limit);
        }
        this.name = name;
        this.limit = limit;
        this.overLimit = overLimit;
        this.starter = starter;
        this.log = log;
    }

    public String name() {
        return name;
    }

    public int limit() {
        return limit;
    }

    /**
     * Starts one environment and completes once its init passed, so that a tool can refuse to start
     * when the function cannot; fails with {@link InitFailure}.
     */
    public CompletableFuture<Environment> warmUp() {
        CompletableFuture<Environment> ready = new CompletableFuture<>();
        synchronized (this) {
            startOne(ready);
        }
        return ready;
    }

    /**
     * The function's answer to {@code event}. Cancelling the returned future (its caller gave up) takes
     * the event out of the queue if no environment has it yet.
     */
    public CompletableFuture<Result> invoke(String event) {
        Pending pending = new Pending(event, new CompletableFuture<>());
        synchronized (this) {
            if (closed) {
                return CompletableFuture.completedFuture(new Result(Result.NO_ANSWER, "the function is stopping"));
            }
            Environment environment = free.pollFirst();
            if (environment != null) {
                dispatch(environment, pending);
                return pending.answer();
            }
            if (running.size() + starting >= limit && overLimit == OverLimit.THROTTLE) {
                sayFull("events over it are refused (429), as Lambda throttles at reserved concurrency");
                return CompletableFuture.completedFuture(new Result(Result.THROTTLED,
                        "Rate Exceeded: " + name + " runs its " + limit + " environments at once"));
            }
            waiting.addLast(pending);
            if (running.size() + starting < limit && starting < waiting.size() && !(draining && running.size() + starting > 0)) {
                startOne(null);
            } else if (running.size() + starting >= limit) {
                sayFull("events wait for the next free one");
            }
        }
        pending.answer().whenComplete((result, e) -> {
            if (pending.answer().isCancelled()) {
                synchronized (this) {
                    waiting.remove(pending);
                }
            }
        });
        return pending.answer();
    }

    /**
     * From now on, events wait for the environments there are rather than start more (one is still started
     * when none is left): what a tool does while it shuts down, its last events still to deliver.
     */
    public synchronized void drain() {
        draining = true;
    }

    /** Environments started so far (each a cold start). */
    public synchronized int started() {
        return started;
    }

    /** The most environments that ran at once. */
    public synchronized int peak() {
        return peak;
    }

    /** Environments running now. */
    public synchronized List<Environment> running() {
        return List.copyOf(running);
    }

    private void sayFull(String what) {
        if (!saidFull) {
            saidFull = true;
            log.accept(name + ": all " + limit + " execution environments are busy or starting; " + what
                    + " (bin/local --concurrency N changes the limit)");
        }
    }

    /** Starts an environment (on a thread of its own: a start takes a while); called holding this. */
    private void startOne(CompletableFuture<Environment> ready) {
        starting++;
        int number = ++started;
        long startedAt = System.nanoTime();
        starts.execute(() -> {
            Environment environment;
            try {
                environment = starter.start(number);
            } catch (Exception | Error e) {
                initFailed(new InitFailure(e.getMessage() == null ? e.toString() : e.getMessage()), ready);
                return;
            }
            synchronized (this) {
                if (closed) {
                    environment.stop();
                    return;
                }
                alive.add(environment);
            }
            environment.exited().thenAccept(status -> exited(environment, number, status));
            environment.initialised().whenComplete((ok, failure) -> {
                if (failure != null) {
                    environment.stop();
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException c ? c.getCause() : failure;
                    initFailed(cause instanceof InitFailure f ? f : new InitFailure(String.valueOf(cause)), ready);
                    return;
                }
                long initMs = Duration.ofNanos(System.nanoTime() - startedAt).toMillis();
                synchronized (this) {
                    starting--;
                    if (closed) {
                        environment.stop();
                        return;
                    }
                    running.add(environment);
                    peak = Math.max(peak, running.size());
                    log.accept(String.format("%s: execution environment %d (pid %d) ready, init %d ms (cold start; %d of at most %d running)",
                            name, number, environment.pid(), initMs, running.size(), limit));
                    if (ready != null) {
                        ready.complete(environment);
                    }
                    release(environment);
                }
            });
        });
    }

    private void initFailed(InitFailure failure, CompletableFuture<Environment> ready) {
        synchronized (this) {
            starting--;
            if (ready != null) {
                ready.completeExceptionally(failure);
            } else if (!closed) {
                log.accept(name + ": a new execution environment failed its init: " + failure.reason());
            }
            // Lambda fails the invocations that waited for that init; with no other environment, all of them.
            if (running.isEmpty() && starting == 0) {
                Pending pending;
                while ((pending = waiting.pollFirst()) != null) {
                    pending.answer().complete(new Result(Result.NO_ANSWER, "the function failed its init: " + failure.reason()));
                }
            }
        }
    }

    /** Gives the environment the next waiting event, or marks it free; called holding this. */
    private void release(Environment environment) {
        if (!running.contains(environment)) {
            return;
        }
        Pending next;
        while ((next = waiting.pollFirst()) != null && next.answer().isDone()) {
            // its caller gave up
        }
        if (next != null) {
            dispatch(environment, next);
        } else {
            free.addFirst(environment);
            saidFull = false;
        }
    }

    /** Called holding this. */
    private void dispatch(Environment environment, Pending pending) {
        environment.invoke(pending.event()).whenComplete((result, e) -> {
            pending.answer().complete(e == null ? result
                    : new Result(Result.NO_ANSWER, "no answer from the function: " + e.getMessage()));
            synchronized (this) {
                release(environment);
            }
        });
    }

    private void exited(Environment environment, int number, int status) {
        synchronized (this) {
            alive.remove(environment);
            boolean wasRunning = running.remove(environment);
            free.remove(environment);
            if (closed || !wasRunning) {
                return;
            }
            log.accept(String.format("bin/local: %s execution environment %d (pid %d) exited with status %d; the next event"
                    + " that finds no free environment starts a new one, as Lambda does", name, number, environment.pid(), status));
            if (!waiting.isEmpty() && starting < waiting.size() && running.size() + starting < limit) {
                startOne(null);
            }
        }
    }

    /** Stops every environment; events still waiting are answered 502. */
    @Override
    public void close() {
        List<Environment> stopping;
        synchronized (this) {
            closed = true;
            stopping = List.copyOf(alive);
            alive.clear();
            running.clear();
            free.clear();
            Pending pending;
            while ((pending = waiting.pollFirst()) != null) {
                pending.answer().complete(new Result(Result.NO_ANSWER, "the function is stopping"));
            }
        }
        stopping.parallelStream().forEach(Environment::stop);
        starts.shutdownNow();
    }
}
