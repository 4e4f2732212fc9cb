package io.serverlesschat.coldstart;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** bench/coldstart: the entry point of both modes. See {@link #USAGE} and the README. */
public final class ColdStart {

    static final String CONNECT = "connect";
    static final String BASELINE = "baseline";

    static final String USAGE = """
            usage: bench/coldstart [local] [options]        cold starts on this machine
                   bench/coldstart aws --function NAME [options]   cold starts of a deployed function

            local options:
              --variant jvm|jvm-cds|native   repeatable; default: all three (native only if target/function.zip is native)
              --jdk 17|25|PATH               JDK for the JVM variants, repeatable; default: 17 and 25
              --baseline                     also measure the minimal Quarkus function (tools/baseline)
              --function-zip PATH            the function's zip (default target/function.zip, rebuilt when stale)
              --memory MB                    the function's memory setting (default 1024)
              --no-build                     never build a zip
              --timeout SECONDS              per run (default 60)
            aws options:
              --function NAME                the deployed $connect function (required)
              --baseline-function NAME       a deployed baseline to compare with
              --region REGION                default: AWS_REGION or eu-west-1
              --profile NAME                 a profile of your AWS config; default: the SDK's default chain
            both:
              --runs N                       measured runs per variant (default 20)
              --warmup N                     runs left out of the figures (default 1 local, 0 aws)
              --event FILE                   the $connect event to send (default src/test/resources/events/connect.json)
              --out DIR                      where results.json, results.md and chart.png go (default target/coldstart/MODE)
            Exit status: 0 when every run answered 200, 1 when a run failed, 2 on a usage error.
            """;

    private ColdStart() {
    }

    /** Parsed command line. Lists are never null; unset paths and names are null. */
    record Options(String mode, List<String> variants, List<String> jdks, boolean baseline, Path functionZip,
            int memoryMb, boolean noBuild, int timeoutSeconds, String function, String baselineFunction, String region,
            String profile, int runs, int warmup, Path event, Path out, URI endpoint) {

        static Options parse(String[] args, Path project) {
            String mode = "local";
            List<String> variants = new ArrayList<>();
            List<String> jdks = new ArrayList<>();
            boolean baseline = false;
            boolean noBuild = false;
            Path functionZip = null;
            Path event = null;
            Path out = null;
            URI endpoint = null;
            int memory = 1024;
            int timeout = 60;
            int runs = 20;
            Integer warmup = null;
            String function = null;
            String baselineFunction = null;
            String region = System.getenv().getOrDefault("AWS_REGION", "eu-west-1");
            String profile = null;
            int i = 0;
            if (args.length > 0 && (args[0].equals("local") || args[0].equals("aws"))) {
                mode = args[0];
                i = 1;
            }
            for (; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--variant" -> {
                        String v = value(args, ++i, a);
                        if (!List.of("jvm", "jvm-cds", "native").contains(v)) {
                            throw new UsageError("unknown variant " + v + " (jvm, jvm-cds, native)");
                        }
                        if (!variants.contains(v)) {
                            variants.add(v);
                        }
                    }
                    case "--jdk" -> jdks.add(value(args, ++i, a));
                    case "--baseline" -> baseline = true;
                    case "--function-zip" -> functionZip = Path.of(value(args, ++i, a)).toAbsolutePath();
                    case "--memory" -> memory = positive(value(args, ++i, a), a);
                    case "--no-build" -> noBuild = true;
                    case "--timeout" -> timeout = positive(value(args, ++i, a), a);
                    case "--function" -> function = value(args, ++i, a);
                    case "--baseline-function" -> baselineFunction = value(args, ++i, a);
                    case "--region" -> region = value(args, ++i, a);
                    case "--profile" -> profile = value(args, ++i, a);
                    case "--runs" -> runs = positive(value(args, ++i, a), a);
                    case "--warmup" -> warmup = nonNegative(value(args, ++i, a), a);
                    case "--event" -> event = Path.of(value(args, ++i, a)).toAbsolutePath();
                    case "--out" -> out = Path.of(value(args, ++i, a)).toAbsolutePath();
                    case "--endpoint-url" -> endpoint = URI.create(value(args, ++i, a)); // a stand-in Lambda API, for tests
                    default -> throw new UsageError("unknown option " + a);
                }
            }
            if (mode.equals("aws") && function == null) {
                throw new UsageError("aws mode needs --function NAME");
            }
            if (mode.equals("local") && (function != null || baselineFunction != null || profile != null)) {
                throw new UsageError("--function, --baseline-function and --profile belong to aws mode");
            }
            if (variants.isEmpty()) {
                variants.addAll(List.of("jvm", "jvm-cds", "native"));
            }
            if (jdks.isEmpty()) {
                jdks.addAll(List.of("17", "25"));
            }
            if (out == null) {
                out = project.resolve("target/coldstart/" + mode);
            }
            return new Options(mode, variants, jdks, baseline, functionZip, memory, noBuild, timeout, function,
                    baselineFunction, region, profile, runs, warmup != null ? warmup : mode.equals("local") ? 1 : 0, event,
                    out, endpoint);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new UsageError(option + " needs a value");
            }
            return args[i];
        }

        private static int positive(String v, String option) {
            int n = nonNegative(v, option);
            if (n == 0) {
                throw new UsageError(option + " must be at least 1");
            }
            return n;
        }

        private static int nonNegative(String v, String option) {
            try {
                int n = Integer.parseInt(v);
                if (n < 0) {
                    throw new UsageError(option + " must not be negative");
                }
                return n;
            } catch (NumberFormatException e) {
                throw new UsageError(option + " wants a number, not " + v);
            }
        }
    }

    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    public static void main(String[] args) throws Exception {
        // The Runtime API emulator logs its start and stop at INFO, and an ERROR when a poll it was
        // holding is cut by the function's end: expected here, noise in the progress lines.
        Logger quiet = Logger.getLogger("io.quarkus.amazon.lambda.runtime");
        quiet.setLevel(Level.OFF);
        Path project = Path.of(System.getProperty("project.dir", ".")).toAbsolutePath().normalize();
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            System.out.print(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args, project);
        } catch (UsageError e) {
            System.err.println("bench/coldstart: " + e.getMessage() + "\n\n" + USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(options, project, System.out));
    }

    static int run(Options options, Path project, PrintStream out) throws Exception {
        Results results;
        if (options.mode().equals("aws")) {
            Region region = Region.of(options.region());
            AwsCredentialsProvider credentials = options.profile() != null
                    ? ProfileCredentialsProvider.create(options.profile()) : DefaultCredentialsProvider.builder().build();
            try (SdkLambdaControl lambda = SdkLambdaControl.create(region, credentials, options.endpoint());
                    DynamoDbClient dynamo = DynamoDbClient.builder().region(region).credentialsProvider(credentials)
                            .httpClient(UrlConnectionHttpClient.create()).build()) {
                ConnectEvents events = new ConnectEvents(options.event() != null ? options.event()
                        : project.resolve("src/test/resources/events/connect.json"));
                results = new AwsBenchmark(options, lambda, ColdStartForcer.standard(lambda), new ConnectionCleaner(dynamo),
                        events, out).run();
            }
        } else {
            results = new LocalBenchmark(options, project, out).run();
        }
        Output.write(results, options.out());
        out.println();
        out.print(MarkdownReport.render(results));
        out.println("\nwritten: " + options.out().resolve("results.json") + ", results.md, chart.png");
        if (results.anyRunFailed()) {
            out.println("bench/coldstart: at least one run failed (see above)");
            return 1;
        }
        return 0;
    }
}
