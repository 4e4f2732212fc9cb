package io.serverlesschat.coldstart;

import io.serverlesschat.localdev.CloudFormationYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The command line of bench/coldstart (see --help and docs/benchmark.md). After {@link #parse}, {@link #limits()} holds
 * the memory settings to run.
 */
@Command(name = "bench/coldstart", sortOptions = false, usageHelpWidth = 110,
        customSynopsis = {
            "bench/coldstart [local] [OPTIONS]                  cold starts on this machine, with Lambda's limits",
            "       bench/coldstart aws --function NAME|ARN [OPTIONS]  cold starts of a deployed function",
            "       bench/coldstart aws --reports FILE [--function NAME]  the cold starts of its real traffic",
        },
        description = {"", "The cold start of the $connect function: exec to its first answer, with its PutItem; with"
                + " --route authorize, of its JWT authorizer too."},
        footer = {"",
            "Local mode gives each cold start Lambda's CPU share and memory limit for the memory setting, in a"
                + " cgroup of its own: it needs root and the cgroup cpu, cpuacct and memory controllers (v1) or cpu"
                + " and memory (v2); --memory off runs without them.",
            "Exit status: 0 when every run answered 200, 1 when a run failed, 2 on a usage error or when the"
                + " limits cannot be imposed."})
final class ColdStartOptions {

    /** The function whose MemorySize in sam.native.yaml is the default memory setting. */
    static final String TEMPLATE_FUNCTION = "OnConnectFunction";

    private static final List<String> VARIANTS = List.of("jvm", "jvm-cds", "native");
    private static final List<String> ROUTES = List.of(Target.CONNECT, Target.AUTHORIZE);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "local|aws", description = "Mode (default: local).")
    String mode = "local";

    // Local mode.
    @Option(names = "--variant", paramLabel = "jvm|jvm-cds|native",
            description = "[local] Repeatable; default: all three (native only when the zip is native).")
    List<String> variants = new ArrayList<>();

    @Option(names = "--route", paramLabel = "connect|authorize", split = ",",
            description = "[local] The routes of function.zip to measure, repeatable: connect ($connect, the default) and"
                    + " authorize (the JWT authorizer: it fetches a local issuer's key set in init, over the same transport as"
                    + " DynamoDB, and checks a token). Both: also the sum of their medians, what a user's first connection"
                    + " waits for in series.")
    List<String> routes = new ArrayList<>();

    @Option(names = "--jdk", paramLabel = "17|25|PATH",
            description = "[local] JDK for the JVM variants, repeatable; default 17 and 25 (found in $JAVA<N>_HOME,"
                    + " $JAVA_HOME, the JDK running this tool, /usr/lib/jvm).")
    List<String> jdks = new ArrayList<>();

    @Option(names = "--baseline", description = "[local] Also measure the minimal Quarkus function (tools/baseline).")
    boolean baseline;

    @Option(names = "--function-zip", paramLabel = "PATH",
            description = "[local] The function's zip, JVM or native (default target/function.zip, rebuilt when stale).")
    Path functionZip;

    @Option(names = "--baseline-zip", paramLabel = "PATH",
            description = "[local] The baseline's zip (default tools/baseline/target/function.zip, rebuilt when stale), e.g."
                    + " the baseline built with -Pwith-dynamodb.")
    Path baselineZip;

    @Option(names = "--memory", paramLabel = "MB[,MB...]|off", split = ",", hideParamSyntax = true,
            description = "[local] Memory settings to run, each with Lambda's CPU share and memory limit (a sweep when"
                    + " several); default: MemorySize of " + TEMPLATE_FUNCTION + " in sam.native.yaml. off: no limits"
                    + " (the template's setting in the environment only).")
    List<String> memory = new ArrayList<>();

    @Option(names = "--init-cpu", paramLabel = "burst|share",
            description = "[local] burst (default): init unthrottled, the share from the first /next on, as Lambda"
                    + " does on-demand (see BENCHMARKS.md); share: the whole cold start at the share.")
    String initCpu = "burst";

    @Option(names = "--dynamodb", paramLabel = "https|http",
            description = "[local] How the function reaches the local DynamoDB. https (default): as on AWS, over TLS on a"
                    + " connection kept open (a keep-alive HTTPS endpoint in front of moto, a chain made for the run, the trust"
                    + " store given with -Djavax.net.ssl.trustStore); http: plain HTTP to moto, which closes every connection.")
    String dynamoDb = "https";

    @Option(names = "--cpu-profile", description = "[local] JVM variants: sample where each measured cold start's"
            + " CPU goes (async-profiler) and write profile.md; the profiler's own cost is in such a run's figures.")
    boolean cpuProfile;

    @Option(names = "--jvm-option", paramLabel = "OPTION",
            description = "[local] Repeatable: one more option for the JVM of every JVM variant (e.g."
                    + " -Xlog:class+load:file=classes.txt); it changes what is measured.")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--no-build", description = "[local] Never build a zip.")
    boolean noBuild;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "[local] Per run (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 120;

    // AWS mode.
    @Option(names = "--function", paramLabel = "NAME|ARN",
            description = "[aws] The deployed $connect function: its name or ARN (the stack's OnConnectFunctionArn"
                    + " output).")
    String function;

    @Option(names = "--reports", paramLabel = "FILE",
            description = "[aws] Instead of forcing cold starts, read those of real traffic from the function's REPORT"
                    + " records: the output of `aws logs filter-log-events --output json` or log lines (docs/operations.md);"
                    + " --function then only names them.")
    Path reports;

    @Option(names = "--baseline-function", paramLabel = "NAME|ARN", description = "[aws] A deployed baseline to compare with.")
    String baselineFunction;

    @Option(names = "--region", paramLabel = "REGION", description = "[aws] Default: $AWS_REGION or eu-west-1.")
    String region = System.getenv().getOrDefault("AWS_REGION", "eu-west-1");

    @Option(names = "--profile", paramLabel = "NAME", description = "[aws] A profile of your AWS config; default: the SDK's chain.")
    String profile;

    @Option(names = "--endpoint-url", hidden = true, description = "A stand-in Lambda API, for tests.")
    URI endpoint;

    // Both.
    @Option(names = "--runs", paramLabel = "N", description = "Measured runs per variant (default: ${DEFAULT-VALUE}).")
    int runs = 20;

    @Option(names = "--warmup", paramLabel = "N", description = "Runs left out of the figures (default 1 local, 0 aws).")
    Integer warmup;

    @Option(names = "--event", paramLabel = "FILE",
            description = "The $connect event (default src/test/resources/events/connect.json).")
    Path event;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where results.json, results.md and the charts go (default target/coldstart/MODE).")
    Path out;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "This help.")
    boolean help;

    private List<LambdaLimits> limits = List.of();

    /** Memory settings of local mode, in order; each with its limits (or none, for --memory off). */
    List<LambdaLimits> limits() {
        return limits;
    }

    LambdaLimits.InitCpu initCpuModel() {
        return LambdaLimits.InitCpu.valueOf(initCpu.toUpperCase(Locale.ROOT));
    }

    String mode() {
        return mode;
    }

    /** Checks what picocli cannot, fills the defaults that depend on the project; usage errors throw. */
    void validate(Path project) {
        if (!List.of("local", "aws").contains(mode)) {
            throw usage("unknown mode " + mode + " (local or aws)");
        }
        for (String v : variants) {
            if (!VARIANTS.contains(v)) {
                throw usage("unknown variant " + v + " (jvm, jvm-cds, native)");
            }
        }
        variants = List.copyOf(new LinkedHashSet<>(variants));
        for (String route : routes) {
            if (!ROUTES.contains(route)) {
                throw usage("unknown route " + route + " (connect, authorize)");
            }
        }
        if (mode.equals("aws") && !routes.isEmpty()) {
            throw usage("--route belongs to local mode (aws mode measures the function --function names: the deployed"
                    + " authorizer's cold starts come from its REPORT lines, with --reports)");
        }
        routes = routes.isEmpty() ? List.of(Target.CONNECT) : List.copyOf(new LinkedHashSet<>(routes));
        if (!List.of("https", "http").contains(dynamoDb)) {
            throw usage("--dynamodb is https or http, not " + dynamoDb);
        }
        if (!List.of("burst", "share").contains(initCpu)) {
            throw usage("--init-cpu is burst or share, not " + initCpu);
        }
        if (runs < 1) {
            throw usage("--runs must be at least 1");
        }
        if (warmup != null && warmup < 0) {
            throw usage("--warmup must not be negative");
        }
        if (timeoutSeconds < 1) {
            throw usage("--timeout must be at least 1");
        }
        if (mode.equals("aws") && function == null && reports == null) {
            throw usage("aws mode needs --function NAME|ARN (or --reports FILE)");
        }
        if (mode.equals("local") && (function != null || baselineFunction != null || profile != null || reports != null)) {
            throw usage("--function, --baseline-function, --profile and --reports belong to aws mode");
        }
        if (reports != null && baselineFunction != null) {
            throw usage("--reports reads one function's records: run it once per function to compare them");
        }
        if (reports != null && !java.nio.file.Files.isReadable(reports)) {
            throw usage("--reports " + reports + ": no such file");
        }
        if (mode.equals("aws") && (!memory.isEmpty() || functionZip != null || baselineZip != null || !variants.isEmpty())) {
            throw usage("--memory, --function-zip, --baseline-zip and --variant belong to local mode (aws mode measures the function as deployed)");
        }
        if (variants.isEmpty()) {
            variants = VARIANTS;
        }
        if (jdks.isEmpty()) {
            jdks = List.of("17", "25");
        }
        if (warmup == null) {
            warmup = mode.equals("local") ? 1 : 0;
        }
        functionZip = functionZip == null ? null : functionZip.toAbsolutePath();
        baselineZip = baselineZip == null ? null : baselineZip.toAbsolutePath();
        event = event == null ? null : event.toAbsolutePath();
        out = (out == null ? project.resolve("target/coldstart/" + mode) : out).toAbsolutePath();
        if (mode.equals("local")) {
            limits = limits(project);
        }
    }

    private List<LambdaLimits> limits(Path project) {
        LambdaLimits.InitCpu model = initCpuModel();
        if (memory.size() == 1 && memory.get(0).equals("off")) {
            return List.of(new LambdaLimits(templateMemoryMb(project), false, model));
        }
        if (memory.isEmpty()) {
            return List.of(new LambdaLimits(templateMemoryMb(project), true, model));
        }
        List<LambdaLimits> sizes = new ArrayList<>();
        for (String mb : memory) {
            int value;
            try {
                value = Integer.parseInt(mb.trim());
            } catch (NumberFormatException e) {
                throw usage("--memory takes megabytes (128 to 10240) separated by commas, or off alone; not " + mb);
            }
            if (value < 128 || value > 10240) {
                throw usage("--memory " + value + ": Lambda's memory settings run from 128 to 10240 MB");
            }
            if (sizes.stream().noneMatch(l -> l.memoryMb() == value)) {
                sizes.add(new LambdaLimits(value, true, model));
            }
        }
        return List.copyOf(sizes);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    // Accessors in the shape the benchmark reads them.
    List<String> variants() {
        return variants;
    }

    /** The function.zip's routes to measure, in order ({@link Target#CONNECT}, {@link Target#AUTHORIZE}). */
    List<String> routes() {
        return routes;
    }

    List<String> jdks() {
        return jdks;
    }

    boolean baseline() {
        return baseline;
    }

    Path functionZip() {
        return functionZip;
    }

    Path baselineZip() {
        return baselineZip;
    }

    boolean noBuild() {
        return noBuild;
    }

    String dynamoDb() {
        return dynamoDb;
    }

    boolean cpuProfile() {
        return cpuProfile;
    }

    List<String> jvmOptions() {
        return jvmOptions;
    }

    int timeoutSeconds() {
        return timeoutSeconds;
    }

    String function() {
        return function;
    }

    String baselineFunction() {
        return baselineFunction;
    }

    Path reports() {
        return reports;
    }

    String region() {
        return region;
    }

    String profile() {
        return profile;
    }

    int runs() {
        return runs;
    }

    int warmup() {
        return warmup;
    }

    Path event() {
        return event;
    }

    Path out() {
        return out;
    }

    URI endpoint() {
        return endpoint;
    }

    /** Parses and validates {@code args}; usage errors throw {@link ParameterException}. */
    static ColdStartOptions parse(String[] args, Path project) {
        ColdStartOptions options = new ColdStartOptions();
        CommandLine cli = new CommandLine(options);
        cli.parseArgs(args);
        if (!cli.isUsageHelpRequested()) {
            options.validate(project);
        }
        return options;
    }

    /**
     * MemorySize of {@value #TEMPLATE_FUNCTION} in sam.native.yaml, or of Globals.Function (Lambda's default
     * 128); a Ref to a parameter reads as that parameter's default.
     */
    @SuppressWarnings("unchecked")
    static int templateMemoryMb(Path project) {
        Path file = project.resolve("sam.native.yaml");
        Map<String, Object> template;
        try {
            template = CloudFormationYaml.load(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " for the default memory setting", e);
        }
        Map<String, Object> resource = (Map<String, Object>) ((Map<String, Object>) template.getOrDefault("Resources", Map.of()))
                .getOrDefault(TEMPLATE_FUNCTION, Map.of());
        Object size = ((Map<String, Object>) resource.getOrDefault("Properties", Map.of())).get("MemorySize");
        if (size == null) {
            Map<String, Object> globals = (Map<String, Object>) ((Map<String, Object>) template.getOrDefault("Globals", Map.of()))
                    .getOrDefault("Function", Map.of());
            size = globals.getOrDefault("MemorySize", 128);
        }
        if (size instanceof Map<?, ?> ref && ref.get("Ref") instanceof String parameter) {
            Map<String, Object> declared = (Map<String, Object>) ((Map<String, Object>) template.getOrDefault("Parameters", Map.of()))
                    .getOrDefault(parameter, Map.of());
            size = declared.get("Default");
        }
        try {
            return Integer.parseInt(String.valueOf(size));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": the MemorySize of " + TEMPLATE_FUNCTION + " is neither a number nor a"
                    + " parameter with a default (" + size + "): pass --memory", e);
        }
    }
}
