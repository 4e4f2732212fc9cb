package io.serverlesschat.lambda;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One function's pool of execution environments, run as Lambda runs them: an event goes to a free
 * environment (the one freed last, as Lambda reuses the warmest); when none is free and fewer than
 * {@code limit} run, a new one is started for it (a cold start, logged with its init time) and kept for
 * later events. Beyond the limit an event waits for the next free environment ({@link OverLimit#QUEUE}) or
 * is refused at once ({@link OverLimit#THROTTLE}: Lambda's 429 TooManyRequestsException at a function's
 * reserved concurrency). An environment whose process exits is dropped; the next event that finds no
 * free one starts another. Every event is answered: by the function, or with why not. The pool is the
 * function to its callers: events reach it by a Java call, not over a network.
 */
public final class EnvironmentPool implements LambdaFunction, AutoCloseable {

    /** Starts environment number {@code number} (1, 2, ...); its init begins now. */
    @FunctionalInterface
    public interface Starter {
        ExecutionEnvironment start(int number) throws Exception;
    }

    /** What happens to an event that finds every environment busy at the limit. */
    public enum OverLimit {
        /** It waits for the next free environment (its caller bounds the wait). */
        QUEUE,
        /** It is refused, as Lambda throttles a function at its reserved concurrency. */
        THROTTLE
    }

    private record Pending(String event, CompletableFuture<InvokeResult> answer) {
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
    private final List<ExecutionEnvironment> alive = new ArrayList<>();
    private final List<ExecutionEnvironment> running = new ArrayList<>();
    private final Deque<ExecutionEnvironment> free = new ArrayDeque<>();
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
    public EnvironmentPool(String name, int limit, OverLimit overLimit, Starter starter, Consumer<String> log) {
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
    public CompletableFuture<ExecutionEnvironment> warmUp() {
        CompletableFuture<ExecutionEnvironment> ready = new CompletableFuture<>();
        synchronized (this) {
            startOne(ready);
        }
        return ready;
    }

    /**
     * The function's answer to {@code event}, or {@link InvokeResult.TimedOut} after {@code timeout}. An event
     * that times out or whose future is cancelled (its caller gave up) before an environment took it is taken
     * out of the queue; one an environment took runs to its end, and the environment is then free again.
     */
    @Override
    public CompletableFuture<InvokeResult> invoke(String event, Duration timeout) {
        Pending pending = new Pending(event, new CompletableFuture<>());
        synchronized (this) {
            if (closed) {
                return CompletableFuture.completedFuture(new InvokeResult.NoAnswer("the function is stopping"));
            }
            ExecutionEnvironment environment = free.pollFirst();
            if (environment != null) {
                dispatch(environment, pending);
                return withTimeout(pending, timeout);
            }
            if (running.size() + starting >= limit && overLimit == OverLimit.THROTTLE) {
                sayFull("events over it are refused (429), as Lambda throttles at reserved concurrency");
                return CompletableFuture.completedFuture(new InvokeResult.Throttled(
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
            if (pending.answer().isCancelled() || result instanceof InvokeResult.TimedOut) {
                synchronized (this) {
                    waiting.remove(pending);
                }
            }
        });
        return withTimeout(pending, timeout);
    }

    private static CompletableFuture<InvokeResult> withTimeout(Pending pending, Duration timeout) {
        return pending.answer().completeOnTimeout(new InvokeResult.TimedOut(
                "no answer within " + timeout.toMillis() + " ms"), timeout.toNanos(), TimeUnit.NANOSECONDS);
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
    public synchronized List<ExecutionEnvironment> running() {
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
    private void startOne(CompletableFuture<ExecutionEnvironment> ready) {
        starting++;
        int number = ++started;
        long startedAt = System.nanoTime();
        starts.execute(() -> {
            ExecutionEnvironment environment;
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

    private void initFailed(InitFailure failure, CompletableFuture<ExecutionEnvironment> ready) {
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
                    pending.answer().complete(new InvokeResult.NoAnswer("the function failed its init: " + failure.reason()));
                }
            }
        }
    }

    /** Gives the environment the next waiting event, or marks it free; called holding this. */
    private void release(ExecutionEnvironment environment) {
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

    /**
     * Called holding this. The environment takes its next event before the caller's continuation runs on
     * the answer (the gateway reads it and logs): a queue drains at the function's pace, not the caller's.
     */
    private void dispatch(ExecutionEnvironment environment, Pending pending) {
        environment.invoke(pending.event()).whenComplete((result, e) -> {
            synchronized (this) {
                release(environment);
            }
            pending.answer().complete(e == null ? result
                    : new InvokeResult.NoAnswer("no answer from the function: " + e.getMessage()));
        });
    }

    private void exited(ExecutionEnvironment environment, int number, int status) {
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

    /** Stops every environment; events still waiting are answered that the function is stopping. */
    @Override
    public void close() {
        List<ExecutionEnvironment> stopping;
        synchronized (this) {
            closed = true;
            stopping = List.copyOf(alive);
            alive.clear();
            running.clear();
            free.clear();
            Pending pending;
            while ((pending = waiting.pollFirst()) != null) {
                pending.answer().complete(new InvokeResult.NoAnswer("the function is stopping"));
            }
        }
        // All at once, each on a thread of its own: every stop may wait out its grace period.
        CompletableFuture.allOf(stopping.stream()
                .map(environment -> CompletableFuture.runAsync(environment::stop, stop -> new Thread(stop, name + " stopping").start()))
                .toArray(CompletableFuture[]::new)).join();
        starts.shutdownNow();
    }
}
