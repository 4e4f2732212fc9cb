package io.serverlesschat.lambda;

import io.serverlesschat.localdev.CtrlC;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Starts a function from its unpacked function.zip the way Lambda does.
 *
 * <ul>
 * <li>Native package: its {@code bootstrap}, as the provided.al2 / provided.al2023 runtimes run it.</li>
 * <li>JVM package: AWS's Java runtime interface client ({@value #RIC_MAIN}) on its own class path, in the
 * task root, loading {@value #QUARKUS_HANDLER}; the runtime client puts the task root and its
 * {@code lib/*.jar} on the class loader it gives the handler, exactly as in the managed java17/21
 * runtimes. The JVM gets the flags those runtimes use ({@link #awsJvmOptions}).</li>
 * </ul>
 *
 * Both get Lambda's reserved environment variables ({@link ReservedVariables}) plus the function's own
 * variables, and nothing else.
 */
public final class FunctionLauncher {

    public static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    public static final String QUARKUS_HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";
    /** Where the runtime client loads its JNI library from, when set, instead of unpacking it to /tmp. */
    static final String RIC_JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    private final FunctionZip.Kind kind;
    private final Path taskRoot;
    private String runtimeApi;
    private String functionName = "function";
    private int memoryMb = 1024;
    private String region = ReservedVariables.DEFAULT_REGION;
    private final Map<String, String> functionEnv = new LinkedHashMap<>();
    private Path javaHome = Path.of(System.getProperty("java.home"));
    private final List<String> extraJvmOptions = new ArrayList<>();
    private final List<String> bootstrapArguments = new ArrayList<>();
    private List<Path> ricClassPath;
    private Path output;
    private FunctionCgroup cgroup;
    private boolean outlivesCtrlC;

    private FunctionLauncher(FunctionZip.Kind kind, Path taskRoot) {
        this.kind = kind;
        this.taskRoot = taskRoot.toAbsolutePath();
    }

    /** A launcher for the package unpacked in {@code taskRoot} (see {@link FunctionZip#unpack}). */
    public static FunctionLauncher of(FunctionZip.Kind kind, Path taskRoot) {
        return new FunctionLauncher(kind, taskRoot);
    }

    /** AWS_LAMBDA_RUNTIME_API, e.g. {@link RuntimeApiServer#runtimeApiAddress()}. Required. */
    public FunctionLauncher runtimeApi(String hostPortAndPath) {
        this.runtimeApi = hostPortAndPath;
        return this;
    }

    public FunctionLauncher functionName(String name) {
        this.functionName = name;
        return this;
    }

    /** The function's memory setting; also sizes the JVM heap as Lambda does. Default 1024. */
    public FunctionLauncher memoryMb(int memoryMb) {
        this.memoryMb = memoryMb;
        return this;
    }

    public FunctionLauncher region(String region) {
        this.region = region;
        return this;
    }

    /** One of the function's own environment variables (TABLE_NAME, DYNAMODB_ENDPOINT, ...). */
    public FunctionLauncher env(String name, String value) {
        functionEnv.put(name, value);
        return this;
    }

    /** The JDK that runs a JVM package. Default: the one running this tool. */
    public FunctionLauncher javaHome(Path javaHome) {
        this.javaHome = javaHome;
        return this;
    }

    /** JVM options after AWS's own (e.g. a class-data archive). */
    public FunctionLauncher jvmOptions(List<String> options) {
        extraJvmOptions.addAll(options);
        return this;
    }

    /**
     * Native package: arguments for its bootstrap, e.g. {@code -Djavax.net.ssl.trustStore=...} (a native image
     * takes {@code -D} system properties on its command line). Lambda passes none: only tools that must tell the
     * function something a JVM would get as an option use this.
     */
    public FunctionLauncher bootstrapArguments(List<String> arguments) {
        bootstrapArguments.addAll(arguments);
        return this;
    }

    /** The runtime interface client's jars. Default: {@link #defaultRicClassPath()}. */
    public FunctionLauncher ricClassPath(List<Path> jars) {
        this.ricClassPath = List.copyOf(jars);
        return this;
    }

    /**
     * Starts the function inside {@code group} (with the limits set on it): its CPU time is then the
     * group's, and the {@link FunctionProcess} owns the group from {@link #start()} on.
     */
    public FunctionLauncher cgroup(FunctionCgroup group) {
        this.cgroup = group;
        return this;
    }

    /**
     * Starts the function with SIGINT ignored ({@link CtrlC}): a terminal's Ctrl-C then stops only the tool,
     * which stops the function itself (SIGTERM) once it no longer needs it.
     */
    public FunctionLauncher outlivesCtrlC() {
        this.outlivesCtrlC = true;
        return this;
    }

    /** Where the process' stdout and stderr go. Default: a temporary file. */
    public FunctionLauncher output(Path file) {
        this.output = file;
        return this;
    }

    /**
     * The flags of AWS's managed Java 17+ runtimes, as their bootstrap passes them (AWS documents the
     * tiered-compilation default in "Customize Java runtime startup behavior"; the full command line
     * was captured from java11 and java17 environments at eight memory sizes in October 2023 and published
     * in sigpwned/the-lambda-iceberg-dissecting-the-official-java-runtimes). Left out: their log4j
     * hot-patch agent, and their class-data archive of the runtime
     * (-XX:SharedArchiveFile=/var/lang/lib/server/runtime.jsa), for which the JDK's default archive stands
     * in. The heap is {@link #heapKb(int)}.
     */
    public static List<String> awsJvmOptions(int memoryMb) {
        return List.of(
                "-XX:MaxHeapSize=" + heapKb(memoryMb) + "k",
                "-XX:+UseSerialGC",
                "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "-Djava.net.preferIPv4Stack=true",
                "-XX:+ErrorFileToStderr");
    }

    /**
     * The heap AWS's Java runtimes give a function, in KiB: 85 % of the memory setting up to 1 GB, and
     * the memory less 243 MiB above (the larger of the two). AWS does not publish the rule; it matches the
     * captured command lines to 1 KiB at 128 to 4096 MB and to 1 MiB at 8192 and 10240 MB (256 MB:
     * -XX:MaxHeapSize=222823k; 2048 MB: 1848320k).
     */
    public static long heapKb(int memoryMb) {
        long kb = memoryMb * 1024L;
        return Math.max(kb * 85 / 100, kb - 243 * 1024);
    }

    /** The command this launcher runs (in a cgroup: through {@link FunctionCgroup#wrap}). */
    public List<String> command() {
        List<String> command = outlivesCtrlC ? CtrlC.ignoredBy(functionCommand()) : functionCommand();
        return cgroup != null ? cgroup.wrap(command) : command;
    }

    private List<String> functionCommand() {
        if (kind == FunctionZip.Kind.NATIVE) {
            List<String> command = new ArrayList<>(List.of(taskRoot.resolve("bootstrap").toString()));
            command.addAll(bootstrapArguments);
            return command;
        }
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        command.addAll(awsJvmOptions(memoryMb));
        if (cgroup != null) {
            // Lambda's limits are outside its microVM, where the JVM sees plain vCPUs and a machine of about
            // the memory setting: keep this JVM from sizing its threads by our cgroup's quota, and let it size
            // its initial heap (1/64 of the machine) from the setting rather than from this host.
            command.add("-XX:-UseContainerSupport");
            command.add("-XX:MaxRAM=" + memoryMb + "m");
        }
        command.addAll(extraJvmOptions);
        List<Path> ric = ricClassPath != null ? ricClassPath : defaultRicClassPath();
        command.add("-D" + RIC_JNI_PROPERTY + "=" + jniLibrary(ric));
        command.add("-classpath");
        command.add(ric.stream().map(Path::toString).collect(Collectors.joining(":")));
        command.add(RIC_MAIN);
        command.add(QUARKUS_HANDLER);
        return command;
    }

    /** The process' whole environment: Lambda's reserved variables, then the function's own. */
    public Map<String, String> environment() {
        Objects.requireNonNull(runtimeApi, "runtimeApi");
        String handler = kind == FunctionZip.Kind.NATIVE ? "not.used.by.native" : QUARKUS_HANDLER;
        String executionEnv = kind == FunctionZip.Kind.NATIVE ? null : "AWS_Lambda_java" + javaFeatureVersion(javaHome);
        Map<String, String> env = ReservedVariables.of(runtimeApi, handler, taskRoot, functionName, memoryMb,
                region, executionEnv);
        env.putAll(functionEnv);
        return env;
    }

    /** Starts the function; its init begins now. */
    public FunctionProcess start() {
        if (kind == FunctionZip.Kind.JVM) {
            unpackJniLibrary(ricClassPath != null ? ricClassPath : defaultRicClassPath());
        }
        try {
            Path out = output != null ? output : Files.createTempFile("function-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command())
                    .directory(taskRoot.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            builder.environment().clear();
            builder.environment().putAll(environment());
            long startNanos = System.nanoTime();
            return new FunctionProcess(builder.start(), startNanos, out, cgroup);
        } catch (IOException e) {
            if (cgroup != null) {
                cgroup.close();
            }
            throw new UncheckedIOException("cannot start the function in " + taskRoot, e);
        }
    }

    /**
     * The runtime client's jars that this module's build copies next to its classes (target/ric), or the
     * directory named by the system property {@code serverlesschat.ric.dir}.
     */
    public static List<Path> defaultRicClassPath() {
        Path dir;
        String property = System.getProperty("serverlesschat.ric.dir");
        if (property != null) {
            dir = Path.of(property);
        } else {
            try {
                Path code = Path.of(FunctionLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                dir = code.getParent().resolve("ric");
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        try (Stream<Path> jars = Files.list(dir)) {
            List<Path> list = jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            if (list.stream().noneMatch(p -> p.getFileName().toString().startsWith("aws-lambda-java-runtime-interface-client"))) {
                throw new IllegalStateException("no runtime interface client jar in " + dir);
            }
            return list;
        } catch (IOException e) {
            throw new IllegalStateException("no runtime interface client in " + dir
                    + " (build tools/lambda, or set -Dserverlesschat.ric.dir)", e);
        }
    }

    /**
     * The runtime client's JNI library for this machine, unpacked once from its jar into a {@code jni}
     * folder beside it. Left to itself, the client rewrites /tmp/.libaws-lambda-jni.so at every start, and
     * a JVM that loads that file while another process rewrites it dies of SIGBUS; on Lambda each execution
     * environment has a /tmp of its own, so nothing is shared there.
     */
    static Path jniLibrary(List<Path> ricClassPath) {
        String arch = "aarch64".equals(System.getProperty("os.arch")) ? "aarch_64" : "x86_64";
        return ricJar(ricClassPath).toAbsolutePath().getParent().resolve("jni/libaws-lambda-jni.linux-" + arch + ".so");
    }

    private static Path ricJar(List<Path> ricClassPath) {
        return ricClassPath.stream()
                .filter(p -> p.getFileName().toString().startsWith("aws-lambda-java-runtime-interface-client"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no runtime interface client jar in " + ricClassPath));
    }

    /** Unpacks {@link #jniLibrary} from the runtime client's jar, unless it is there already. */
    private static void unpackJniLibrary(List<Path> ricClassPath) {
        Path jar = ricJar(ricClassPath);
        Path library = jniLibrary(ricClassPath);
        String name = library.getFileName().toString();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry("jni/" + name);
            if (entry == null) {
                throw new IllegalStateException(jar + " has no jni/" + name);
            }
            if (Files.isRegularFile(library) && Files.size(library) == entry.getSize()) {
                return;
            }
            Files.createDirectories(library.getParent());
            // Written aside and moved into place, so that no process ever maps a half-written file.
            Path partial = Files.createTempFile(library.getParent(), name, ".partial");
            try (InputStream in = zip.getInputStream(entry)) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the runtime client's JNI library from " + jar, e);
        }
    }

    /** The feature version (17, 25, ...) of the JDK in {@code javaHome}, from its {@code release} file. */
    public static int javaFeatureVersion(Path javaHome) {
        try {
            for (String line : Files.readAllLines(javaHome.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(version.split("[.+-]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalArgumentException("not a JDK: " + javaHome + " (" + e.getMessage() + ")");
        }
        throw new IllegalArgumentException("not a JDK: " + javaHome + " (release has no JAVA_VERSION)");
    }
}
