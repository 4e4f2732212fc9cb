package io.serverlesschat.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.local.ExecutionEnvironments.OverLimit;
import io.serverlesschat.local.ExecutionEnvironments.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduling of events onto execution environments, with stand-in environments the test drives. */
class ExecutionEnvironmentsTest {

    private final List<FakeEnvironment> environments = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private ExecutionEnvironments pool;

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void eventsOneAfterTheOtherReuseTheEnvironmentWarmedUp() throws Exception {
        pool = pool(4, OverLimit.QUEUE);
        pool.warmUp().get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 5; i++) {
            CompletableFuture<Result> answer = pool.invoke("event " + i);
            environments.get(0).answerNext(200);
            assertEquals(new Result(200, "event " + i), answer.get(5, TimeUnit.SECONDS));
        }
        assertEquals(1, pool.started(), "no cold start after the first");
        assertTrue(lines.get(0).matches("fn: execution environment 1 \\(pid 1\\) ready, init \\d+ ms \\(cold start; 1 of at most 4 running\\)"),
                lines.get(0));
    }

    @Test
    void concurrentEventsStartEnvironmentsUpToTheLimitAndTheRestWaitForOne() throws Exception {
        pool = pool(3, OverLimit.QUEUE);
        List<CompletableFuture<Result>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(pool.invoke("event " + i));
        }
        await(() -> pool.running().size() == 3, "three environments running");
        assertEquals(3, pool.started(), "a cold start per busy environment, up to the limit, no more");
        assertTrue(answers.stream().noneMatch(CompletableFuture::isDone), "every environment holds an event, the rest wait");
        assertTrue(lines.stream().anyMatch(l -> l.equals("fn: all 3 execution environments are busy or starting; events wait for the next"
                + " free one (bin/local --concurrency N changes the limit)")), lines.toString());

        // Each answer frees its environment for the next waiting event, until all ten are answered.
        for (int answered = 0; answered < 10; answered++) {
            await(() -> environments.stream().anyMatch(FakeEnvironment::busy), "an environment holds an event");
            environments.stream().filter(FakeEnvironment::busy).findFirst().orElseThrow().answerNext(200);
        }
        List<String> bodies = new ArrayList<>();
        for (CompletableFuture<Result> answer : answers) {
            Result result = answer.get(5, TimeUnit.SECONDS);
            assertEquals(200, result.status());
            bodies.add(result.body());
        }
        assertEquals(10, bodies.stream().distinct().count(), "each event answered once: " + bodies);
        assertEquals(3, pool.peak());
        assertEquals(3, pool.started(), "the environments were reused");
    }

    @Test
    void withThrottlingEventsOverTheLimitAreRefusedAtOnceWith429() throws Exception {
        pool = pool(2, OverLimit.THROTTLE);
        CompletableFuture<Result> first = pool.invoke("one");
        CompletableFuture<Result> second = pool.invoke("two");
        Result third = pool.invoke("three").get(1, TimeUnit.SECONDS);
        assertEquals(Result.THROTTLED, third.status());
        await(() -> environments.size() == 2 && environments.stream().allMatch(FakeEnvironment::busy), "both busy");
        environments.forEach(e -> e.answerNext(200));
        assertEquals(200, first.get(5, TimeUnit.SECONDS).status());
        assertEquals(200, second.get(5, TimeUnit.SECONDS).status());
        assertEquals(200, answerOnce(pool.invoke("four")).status(), "a free environment takes the next event");
    }

    @Test
    void aWarmUpWhoseInitFailsSaysWhyInOneLine() {
        pool = new ExecutionEnvironments("fn", 2, OverLimit.QUEUE, number -> {
            FakeEnvironment environment = new FakeEnvironment(number, false);
            environment.initialised.completeExceptionally(new ExecutionEnvironments.InitFailure("ALLOWED_ORIGINS: \"x\" is not an origin"));
            return environment;
        }, lines::add);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> pool.warmUp().get(5, TimeUnit.SECONDS));
        assertEquals("ALLOWED_ORIGINS: \"x\" is not an origin", assertInstanceOf(ExecutionEnvironments.InitFailure.class,
                failed.getCause()).reason());
    }

    @Test
    void eventsWaitingForAnInitThatFailsAreAnswered502() throws Exception {
        pool = new ExecutionEnvironments("fn", 2, OverLimit.QUEUE, number -> {
            FakeEnvironment environment = new FakeEnvironment(number, false);
            environment.initialised.completeExceptionally(new ExecutionEnvironments.InitFailure("no table"));
            return environment;
        }, lines::add);
        Result result = pool.invoke("event").get(5, TimeUnit.SECONDS);
        assertEquals(new Result(502, "the function failed its init: no table"), result);
    }

    @Test
    void anEnvironmentThatExitsIsDroppedAndTheNextEventStartsANewOne() throws Exception {
        pool = pool(1, OverLimit.QUEUE);
        pool.warmUp().get(5, TimeUnit.SECONDS);
        FakeEnvironment first = environments.get(0);
        CompletableFuture<Result> inFlight = pool.invoke("lost");
        await(first::busy, "the environment holds the event");
        first.exit(137);
        assertEquals(Result.NO_ANSWER, inFlight.get(5, TimeUnit.SECONDS).status(), "as Lambda fails an invocation whose runtime exited");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("bin/local: fn execution environment 1 (pid 1) exited with status 137;")),
                lines.toString());

        assertEquals(200, answerOnce(pool.invoke("next")).status());
        assertEquals(2, pool.started(), "a new environment, a new cold start");
    }

    @Test
    void aWaitingEventWhoseCallerGaveUpIsNeverDelivered() throws Exception {
        pool = pool(1, OverLimit.QUEUE);
        pool.warmUp().get(5, TimeUnit.SECONDS);
        CompletableFuture<Result> busy = pool.invoke("first");
        CompletableFuture<Result> abandoned = pool.invoke("abandoned");
        abandoned.cancel(false);
        CompletableFuture<Result> third = pool.invoke("third");
        FakeEnvironment environment = environments.get(0);
        environment.answerNext(200);
        assertEquals("first", busy.get(5, TimeUnit.SECONDS).body());
        environment.answerNext(200);
        assertEquals("third", third.get(5, TimeUnit.SECONDS).body());
        assertEquals(List.of("first", "third"), environment.received, "the abandoned event never reached the function");
    }

    @Test
    void whileDrainingEventsWaitForTheEnvironmentsThereAre() throws Exception {
        pool = pool(3, OverLimit.QUEUE);
        pool.warmUp().get(5, TimeUnit.SECONDS);
        pool.drain();
        CompletableFuture<Result> first = pool.invoke("first");
        CompletableFuture<Result> second = pool.invoke("second");
        environments.get(0).answerNext(200);
        environments.get(0).answerNext(200);
        assertEquals("first", first.get(5, TimeUnit.SECONDS).body());
        assertEquals("second", second.get(5, TimeUnit.SECONDS).body());
        assertEquals(1, pool.started(), "no cold start while draining");
    }

    @Test
    void closingStopsEveryEnvironmentAndAnswersWaitingEvents() throws Exception {
        pool = pool(1, OverLimit.QUEUE);
        pool.warmUp().get(5, TimeUnit.SECONDS);
        pool.invoke("held");
        CompletableFuture<Result> waiting = pool.invoke("waiting");
        pool.close();
        assertEquals(Result.NO_ANSWER, waiting.get(5, TimeUnit.SECONDS).status());
        assertTrue(environments.get(0).stopped);
        assertEquals(Result.NO_ANSWER, pool.invoke("late").get(5, TimeUnit.SECONDS).status());
    }

    private ExecutionEnvironments pool(int limit, OverLimit overLimit) {
        return new ExecutionEnvironments("fn", limit, overLimit, number -> {
            FakeEnvironment environment = new FakeEnvironment(number, true);
            environments.add(environment);
            return environment;
        }, lines::add);
    }

    /** Answers the one event an environment takes for it (the pool has a single environment busy at most here). */
    private Result answerOnce(CompletableFuture<Result> answer) throws Exception {
        await(() -> environments.stream().anyMatch(FakeEnvironment::busy), "an environment holds the event");
        environments.stream().filter(FakeEnvironment::busy).findFirst().orElseThrow().answerNext(200);
        return answer.get(5, TimeUnit.SECONDS);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (not within 10 s)");
            Thread.sleep(5);
        }
    }

    /** An environment whose answers the test gives: it echoes each event back with the status given. */
    private static final class FakeEnvironment implements ExecutionEnvironments.Environment {
        final int number;
        final CompletableFuture<Void> initialised = new CompletableFuture<>();
        final CompletableFuture<Integer> exited = new CompletableFuture<>();
        final BlockingQueue<CompletableFuture<Result>> holding = new LinkedBlockingQueue<>();
        final List<String> received = new CopyOnWriteArrayList<>();
        volatile String current;
        volatile boolean stopped;

        FakeEnvironment(int number, boolean initPasses) {
            this.number = number;
            if (initPasses) {
                initialised.complete(null);
            }
        }

        boolean busy() {
            return !holding.isEmpty();
        }

        void answerNext(int status) {
            CompletableFuture<Result> answer = holding.poll();
            assertFalse(answer == null, "environment " + number + " holds no event");
            answer.complete(new Result(status, current));
        }

        void exit(int status) {
            CompletableFuture<Result> answer = holding.poll();
            if (answer != null) {
                answer.complete(new Result(Result.NO_ANSWER, "the function's process exited"));
            }
            exited.complete(status);
        }

        @Override
        public long pid() {
            return number;
        }

        @Override
        public CompletableFuture<Void> initialised() {
            return initialised;
        }

        @Override
        public CompletableFuture<Result> invoke(String event) {
            assertTrue(holding.isEmpty(), "one event at a time");
            received.add(event);
            current = event;
            CompletableFuture<Result> answer = new CompletableFuture<>();
            holding.add(answer);
            return answer;
        }

        @Override
        public CompletableFuture<Integer> exited() {
            return exited;
        }

        @Override
        public void stop() {
            stopped = true;
            exit(143);
        }
    }
}
