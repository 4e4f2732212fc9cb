/**
 * Running the function locally the way Lambda runs it. Shared by bin/local, the cold-start benchmark
 * (tools/coldstart) and any other local tool (a WebSocket gateway, say). Each class has one job:
 *
 * <ul>
 * <li>{@link io.serverlesschat.local.RuntimeApiServer}: a Lambda Runtime API (Quarkus' emulator) that takes
 * events and returns the function's answers, and times them.</li>
 * <li>{@link io.serverlesschat.local.FunctionZip}: what kind of package target/function.zip is, unpacked
 * as Lambda unpacks it.</li>
 * <li>{@link io.serverlesschat.local.FunctionLauncher}: starts it as Lambda does (native bootstrap, or the JVM
 * on AWS's runtime interface client with AWS's flags), with {@link io.serverlesschat.local.LambdaEnvironment}.</li>
 * <li>{@link io.serverlesschat.local.FunctionProcess}: the running process: its output, its CPU time and
 * peak memory ({@link io.serverlesschat.local.ProcessTreeCpu}, {@link io.serverlesschat.local.ProcessTreeMemory}),
 * and a stop that takes its process tree down.</li>
 * <li>{@link io.serverlesschat.local.ExecutionEnvironments}: one function's execution environments as Lambda
 * runs them (started on demand up to a limit, reused, queued or throttled beyond it), each a
 * {@link io.serverlesschat.local.FunctionEnvironment} (a process on a Runtime API of its own), behind
 * {@link io.serverlesschat.local.InvokeEndpoint} (Lambda's Invoke, over HTTP).</li>
 * <li>{@link io.serverlesschat.local.Cgroups} and {@link io.serverlesschat.local.FunctionCgroup}: a cgroup of its
 * own for one function process, with the CPU quota and memory limit Lambda would give it, exact CPU time,
 * OOM kills, and removal also when the tool is interrupted (FunctionLauncher#cgroup).</li>
 * </ul>
 *
 * A long-lived function behind a local gateway:
 *
 * <pre>{@code
 * RuntimeApiServer api = RuntimeApiServer.startOnFreePort("serverless-chat-connect");
 * FunctionZip zip = FunctionZip.open(Path.of("target/function.zip"));
 * FunctionProcess function = FunctionLauncher.of(zip.kind(), zip.unpack(Path.of("target/local-task")))
 *         .runtimeApi(api.runtimeApiAddress())
 *         .functionName("serverless-chat-connect")
 *         .env("TABLE_NAME", "connections")
 *         .env("DYNAMODB_ENDPOINT", dynamo.endpoint().toString())
 *         .start();
 * Invocation answer = api.invoke(eventJson, Duration.ofSeconds(29)); // or POST to api.eventsUri()
 * // answer.httpStatus(): 200 (the function's response) or 500 (its error); answer.body(): what it posted
 * function.stop(Duration.ofSeconds(2));
 * api.close();
 * }</pre>
 *
 * One server serves one function process: events queue until the function polls for them, in order.
 * bin/local runs several per function through {@link io.serverlesschat.local.ExecutionEnvironments}.
 */
package io.serverlesschat.local;
