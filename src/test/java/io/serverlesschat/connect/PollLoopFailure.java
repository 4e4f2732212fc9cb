package io.serverlesschat.connect;

import io.quarkus.amazon.lambda.runtime.AbstractLambdaPollLoop;
import io.quarkus.amazon.lambda.runtime.AmazonLambdaContext;
import io.quarkus.amazon.lambda.runtime.LambdaInputReader;
import io.quarkus.amazon.lambda.runtime.LambdaOutputWriter;
import io.quarkus.runtime.Application;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownContext;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The native build's start-up on the JVM, for {@link PollLoopExitIT}: the packaged application's own main
 * (the one native-image compiles, which waits for a shutdown request), with Quarkus' Lambda poll loop
 * started beside it as the native build starts it, against the Runtime API named by AWS_LAMBDA_RUNTIME_API.
 * A JVM build has no poll loop of its own (AWS's runtime interface client polls), so this starts one.
 */
public final class PollLoopFailure {

    public static void main(String[] args) throws Exception {
        Thread loop = new Thread(PollLoopFailure::startPollLoopOnceStarted, "start-poll-loop");
        loop.setDaemon(true);
        loop.start();
        Class.forName("io.quarkus.runner.GeneratedMain").getMethod("main", String[].class).invoke(null, (Object) args);
    }

    private static void startPollLoopOnceStarted() {
        try {
            while (Application.currentApplication() == null || !Application.currentApplication().isStarted()) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            return;
        }
        new AbstractLambdaPollLoop(null, null, null, LaunchMode.NORMAL) {
            @Override
            protected boolean isStream() {
                return false;
            }

            @Override
            protected Object processRequest(Object input, AmazonLambdaContext context) {
                throw new IllegalStateException("no event can arrive from an unreachable Runtime API");
            }

            @Override
            protected void processRequest(InputStream input, OutputStream output, AmazonLambdaContext context) {
                throw new IllegalStateException("no event can arrive from an unreachable Runtime API");
            }

            @Override
            protected LambdaInputReader<?> getInputReader() {
                return null;
            }

            @Override
            protected LambdaOutputWriter getOutputWriter() {
                return null;
            }
        }.startPollLoop(new ShutdownContext() {
            @Override
            public void addShutdownTask(Runnable task) {
            }

            @Override
            public void addLastShutdownTask(Runnable task) {
            }
        });
    }
}
