package io.serverlesschat.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.serverlesschat.lambda.EnvironmentPool.OverLimit;
import io.serverlesschat.lambda.InvokeResult.NoAnswer;
import io.serverlesschat.lambda.InvokeResult.Payload;
import java.time.Duration;
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
class EnvironmentPoolTest {

    /** Longer than any wait here: only the tests of the timeout use a shorter one. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<FakeEnvironment> environments = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private EnvironmentPool pool;

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
            CompletableFuture<InvokeResult> answer = pool.invoke("event " + i, WAIT);
            environments.get(0).answerNext();
            assertEquals(new Payload("event " + i), answer.get(5, TimeUnit.SECONDS));
        }
        assertEquals(1, pool.started(), "no cold start after the first");
        assertTrue(lines.get(0).matches("fn: execution environment 1 \\(pid 1\\) ready, init \\d+ ms \\(cold start; 1 of at most 4 running\\)"),
                lines.get(0));
    }

    @Test
    void concurrentEventsStartEnvironmentsUpToTheLimitAndTheRestWaitForOne() throws Exception {
        pool = pool(3, OverLimit.QUEUE);
        List<CompletableFuture<InvokeResult>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(pool.invoke("event " + i, WAIT));
        }
        await(() -> pool.running().size() == 3, "three environments running");
        assertEquals(3, pool.started(), "a cold start per busy environment, up to the limit, no more");
        assertTrue(answers.stream().noneMatch(CompletableFuture::isDone), "every environment holds an event, the rest wait");
        assertTrue(lines.stream().anyMatch(l -> l.equals("fn: all 3 execution environments are busy or starting; events wait for the next"
                + " free one (bin/local --concurrency N changes the limit)")), lines.toString());

        // Each answer frees its environment for the next waiting event, until all ten are answered.
        for (int answered = 0; answered < 10; answered++) {
            await(() -> environments.stream().anyMatch(FakeEnvironment::busy), "an environment holds an event");
            environments.stream().filter(FakeEnvironment::busy).findFirst().orElseThrow().answerNext();
        }
        List<String> bodies = new ArrayList<>();
        for (CompletableFuture<InvokeResult> answer : answers) {
            bodies.add(payload(answer));
        }
        assertEquals(10, bodies.stream().distinct().count(), "each event answered once: " + bodies);
        assertEquals(3, pool.peak());
        assertEquals(3, pool.started(), "the environments were reused");
    }

    @Test
    void withThrottlingEventsOverTheLimitAreRefusedAtOnceWith429() throws Exception {
        pool = pool(2, OverLimit.THROTTLE);
        CompletableFuture<InvokeResult> first = pool.invoke("one", WAIT);
        CompletableFuture<InvokeResult> second = pool.invoke("two", WAIT);
        InvokeResult third = pool.invoke("three", WAIT).get(1, TimeUnit.SECONDS);
        assertEquals(new InvokeResult.Throttled("Rate Exceeded: fn runs its 2 environments at once"), third);
        await(() -> environments.size() == 2 && environments.stream().allMatch(FakeEnvironment::busy), "both busy");
        environments.forEach(FakeEnvironment::answerNext);
        assertEquals("one", payload(first));
        assertEquals("two", payload(second));
        assertEquals(new Payload("four"), answerOnce(pool.invoke("four", WAIT)), "a free environment takes the next event");
    }

    @Test
    void aWarmUpWhoseInitFailsSaysWhyInOneLine() {
        pool = new EnvironmentPool("fn", 2, OverLimit.QUEUE, number -> {
            FakeEnvironment environment = new FakeEnvironment(number, false);
            environment.initialised.completeExceptionally(new InitFailure("ALLOWED_ORIGINS: \"x\" is not an origin"));
            return environment;
        }, lines::add);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> pool.warmUp().get(5, TimeUnit.SECONDS));
        assertEquals("ALLOWED_ORIGINS: \"x\" is not an origin", assertInstanceOf(InitFailure.class,
                failed.getCause()).reason());
    }

    @Test
    void eventsWaitingForAnInitThatFailsGetNoAnswerWithItsReason() throws Exception {
        pool = new EnvironmentPool("fn", 2, OverLimit.QUEUE, number -> {
            FakeEnvironment environment = new FakeEnvironment(number, false);
            environment.initialised.completeExceptionally(new InitFailure("no table"));
            return environment;
        }, lines::add);
        InvokeResult result = pool.invoke("event", WAIT).get(5, TimeUnit.SECONDS);
        assertEquals(new NoAnswer("the function failed its init: no table"), result);
    }

    @Test
    void anEnvironmentThatExitsIsDroppedAndTheNextEventStartsANewOne() throws Exception {
        pool = pool(1, OverLimit.QUEUE);
        pool.warmUp().get(5, TimeUnit.SECONDS);
        FakeEnvironment first = environments.get(0);
        CompletableFuture<InvokeResult> inFlight = pool.invoke("lost", WAIT);
        await(first::busy, "the environment holds the event");
        first.exit(137);
        assertEquals(new NoAnswer("the function's process exited"), inFlight.get(5, TimeUnit.SECONDS),
                "as Lambda fails an invocation whose runtime exited");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("bin/local: fn execution environment 1 (pid 1) exited with status 137;")),
                lines.toString());

        assertEquals(new Payload("next"), answerOnce(pool.invoke("next", WAIT)));
        assertEquals(2, pool.started(), "a new environment, a new cold start");
    }

    @Test
    void aWaitingEventWhoseCallerGaveUpOrWhoseTimeoutPassedIsNeverDelivered() throws Exception {
        pool = pool(1, OverLimit.QUEUE);
        pool.warmUp().get(5, TimeUnit.SECONDS);
        CompletableFuture<InvokeResult> busy = pool.invoke("first", WAIT);
        CompletableFuture<InvokeResult> abandoned = pool.invoke("abandoned", WAIT);
        abandoned.cancel(false);
        InvokeResult late = pool.invoke("late", Duration.ofMillis(200)).get(5, TimeUnit.SECONDS);
        assertEquals(new InvokeResult.TimedOut("no answer within 200 ms"), late);
        CompletableFuture<InvokeResult> third = pool.invoke("third", WAIT);
        FakeEnvironment environment = environments.get(0);
        environment.answerNext();
        assertEquals("first", payload(busy));
        environment.answerNext();
        assertEquals("third", payload(third));
        assertEquals(List.of("first", "third"), environment.received, "neither the abandoned nor the timed-out event reached the function");
    }

    @Test
    void whileDrainingEventsWaitForTheEnvironmentsThereAre() throws Exception {
        pool = pool(3, OverLimit.QUEUE);
        pool.warmUp().get(5, TimeUnit.SECONDS);
        pool.drain();
        CompletableFuture<InvokeResult> first = pool.invoke("first", WAIT);
        CompletableFuture<InvokeResult> second = pool.invoke("second", WAIT);
        environments.get(0).answerNext();
        environments.get(0).answerNext();
        assertEquals("first", payload(first));
        assertEquals("second", payload(second));
        assertEquals(1, pool.started(), "no cold start while draining");
    }

    @Test
    void anEventTheFunctionHoldsPastItsTimeoutIsAnsweredTimedOutAndItsEnvironmentServesOnOnceItAnswers() throws Exception {
        pool = pool(1, OverLimit.QUEUE);
        pool.warmUp().get(5, TimeUnit.SECONDS);
        CompletableFuture<InvokeResult> slow = pool.invoke("slow", Duration.ofMillis(200));
        assertInstanceOf(InvokeResult.TimedOut.class, slow.get(5, TimeUnit.SECONDS));
        CompletableFuture<InvokeResult> next = pool.invoke("next", WAIT);
        FakeEnvironment environment = environments.get(0);
        environment.answerNext();
        assertEquals(new Payload("next"), answerOnce(next));
        assertEquals(1, pool.started(), "the environment that ran late took the next event: no cold start");
    }

    @Test
    void closingStopsEveryEnvironmentAndAnswersWaitingEvents() throws Exception {
        pool = pool(1, OverLimit.QUEUE);
        pool.warmUp().get(5, TimeUnit.SECONDS);
        pool.invoke("held", WAIT);
        CompletableFuture<InvokeResult> waiting = pool.invoke("waiting", WAIT);
        pool.close();
        assertEquals(new NoAnswer("the function is stopping"), waiting.get(5, TimeUnit.SECONDS));
        assertTrue(environments.get(0).stopped);
        assertEquals(new NoAnswer("the function is stopping"), pool.invoke("late", WAIT).get(5, TimeUnit.SECONDS));
    }

    private EnvironmentPool pool(int limit, OverLimit overLimit) {
        return new EnvironmentPool("fn", limit, overLimit, number -> {
            FakeEnvironment environment = new FakeEnvironment(number, true);
            environments.add(environment);
            return environment;
        }, lines::add);
    }

    /** Answers the one event an environment takes for it (the pool has a single environment busy at most here). */
    private InvokeResult answerOnce(CompletableFuture<InvokeResult> answer) throws Exception {
        await(() -> environments.stream().anyMatch(FakeEnvironment::busy), "an environment holds the event");
        environments.stream().filter(FakeEnvironment::busy).findFirst().orElseThrow().answerNext();
        return answer.get(5, TimeUnit.SECONDS);
    }

    /** The function's answer, which must be one. */
    private static String payload(CompletableFuture<InvokeResult> answer) throws Exception {
        return assertInstanceOf(Payload.class, answer.get(5, TimeUnit.SECONDS)).payload();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (not within 10 s)");
            Thread.sleep(5);
        }
    }

    /** An environment whose answers the test gives: it echoes each event back as its answer. */
    private static final class FakeEnvironment implements ExecutionEnvironment {
        final int number;
        final CompletableFuture<Void> initialised = new CompletableFuture<>();
        final CompletableFuture<Integer> exited = new CompletableFuture<>();
        final BlockingQueue<CompletableFuture<InvokeResult>> holding = new LinkedBlockingQueue<>();
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

        void answerNext() {
            CompletableFuture<InvokeResult> answer = holding.poll();
            assertFalse(answer == null, "environment " + number + " holds no event");
            answer.complete(new Payload(current));
        }

        void exit(int status) {
            CompletableFuture<InvokeResult> answer = holding.poll();
            if (answer != null) {
                answer.complete(new NoAnswer("the function's process exited"));
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
        public CompletableFuture<InvokeResult> invoke(String event) {
            assertTrue(holding.isEmpty(), "one event at a time");
            received.add(event);
            current = event;
            CompletableFuture<InvokeResult> answer = new CompletableFuture<>();
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
