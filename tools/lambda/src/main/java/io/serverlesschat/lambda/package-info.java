/**
 * AWS Lambda, played locally: a function runs as Lambda runs it, and a caller invokes it as Lambda's
 * Invoke does. Used by bin/local (tools/runlocal, behind the API Gateway emulation of tools/apigateway)
 * and by the cold-start benchmark (tools/coldstart). Each class has one job:
 *
 * <ul>
 * <li>{@link io.serverlesschat.lambda.LambdaFunction}: a function to invoke with an event, answering with an
 * {@link io.serverlesschat.lambda.InvokeResult}: its raw payload, its error, throttled, timed out, or no
 * answer. What a caller (the gateway) holds.</li>
 * <li>{@link io.serverlesschat.lambda.EnvironmentPool}: one function's execution environments as Lambda runs
 * them (started on demand up to a limit, reused, queued or throttled beyond it); a LambdaFunction called
 * directly. Each environment is an {@link io.serverlesschat.lambda.ExecutionEnvironment}; from a zip, a
 * {@link io.serverlesschat.lambda.ZipExecutionEnvironment} (a process on a Runtime API of its own).</li>
 * <li>{@link io.serverlesschat.lambda.HttpFunction}: a function in another process (Quarkus dev mode), reached
 * over HTTP/1.1 at its Runtime API emulator's event endpoint; also a LambdaFunction.</li>
 * <li>{@link io.serverlesschat.lambda.InvokeEndpoint}: Invoke over HTTP for a developer's curl.</li>
 * <li>{@link io.serverlesschat.lambda.RuntimeApiServer}: a Lambda Runtime API (Quarkus' emulator) that takes
 * events and returns the function's answers, and times them.</li>
 * <li>{@link io.serverlesschat.lambda.FunctionZip}: what kind of package target/function.zip is, unpacked
 * as Lambda unpacks it; {@link io.serverlesschat.lambda.PackageBuild} builds it when it is stale.</li>
 * <li>{@link io.serverlesschat.lambda.FunctionLauncher}: starts it as Lambda does (native bootstrap, or the JVM
 * on AWS's runtime interface client with AWS's flags), with Lambda's environment variables
 * ({@link io.serverlesschat.lambda.ReservedVariables}).</li>
 * <li>{@link io.serverlesschat.lambda.FunctionProcess}: the running process: its output, its CPU time and
 * peak memory ({@link io.serverlesschat.lambda.ProcessTreeCpu}, {@link io.serverlesschat.lambda.ProcessTreeMemory}),
 * and a stop that takes its process tree down.</li>
 * <li>{@link io.serverlesschat.lambda.Cgroups} and {@link io.serverlesschat.lambda.FunctionCgroup}: a cgroup of its
 * own for one function process, with the CPU quota and memory limit Lambda would give it, exact CPU time,
 * OOM kills, and removal also when the tool is interrupted (FunctionLauncher#cgroup).</li>
 * </ul>
 *
 * A function from its zip, invoked as the gateway invokes it:
 *
 * <pre>{@code
 * FunctionZip zip = FunctionZip.open(Path.of("target/function.zip"));
 * Path taskRoot = zip.unpack(Path.of("target/local-task"));
 * EnvironmentPool function = new EnvironmentPool("serverless-chat-connect", 2, EnvironmentPool.OverLimit.QUEUE,
 *         number -> ZipExecutionEnvironment.start(FunctionLauncher.of(zip.kind(), taskRoot)
 *                 .functionName("serverless-chat-connect")
 *                 .env("TABLE_NAME", "connections")
 *                 .env("DYNAMODB_ENDPOINT", dynamo.endpoint().toString()), "serverless-chat-connect", Duration.ofSeconds(3)),
 *         System.out::println);
 * InvokeResult result = function.invoke(eventJson, Duration.ofSeconds(29)).join();
 * // Payload (the function's answer, as it gave it), FunctionError, Throttled, TimedOut or NoAnswer
 * function.close();
 * }</pre>
 *
 * A benchmark drives one process on one {@link io.serverlesschat.lambda.RuntimeApiServer} instead, to time its
 * init and each event ({@code api.invoke(eventJson, wait)}).
 */
package io.serverlesschat.lambda;
