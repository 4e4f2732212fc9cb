package io.serverlesschat.coldstart;

import io.serverlesschat.lambda.Cgroups;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** bench/coldstart: the entry point of both modes; its options are {@link ColdStartOptions} (see --help and docs/benchmark.md). */
public final class ColdStart {

    private ColdStart() {
    }

    public static void main(String[] args) throws Exception {
        // The Runtime API emulator logs its start and stop at INFO, and an ERROR when a poll it was
        // holding is cut by the function's end: expected here, noise in the progress lines.
        Logger quiet = Logger.getLogger("io.quarkus.amazon.lambda.runtime");
        quiet.setLevel(Level.OFF);
        Path project = Path.of(System.getProperty("project.dir", ".")).toAbsolutePath().normalize();
        System.exit(execute(args, project, System.out, System.err));
    }

    /** Finds the machine's cgroups, or says in one line why there are none to use. */
    @FunctionalInterface
    interface CgroupsDetector {
        Cgroups detect() throws Cgroups.Unavailable;
    }

    /** Parses, validates and runs; the exit status. */
    static int execute(String[] args, Path project, PrintStream out, PrintStream err) throws Exception {
        return execute(args, project, out, err, Cgroups::detect);
    }

    static int execute(String[] args, Path project, PrintStream out, PrintStream err, CgroupsDetector detector)
            throws Exception {
        ColdStartOptions options = new ColdStartOptions();
        CommandLine cli = new CommandLine(options);
        try {
            cli.parseArgs(args);
            if (cli.isUsageHelpRequested()) {
                cli.usage(out);
                return 0;
            }
            options.validate(project);
        } catch (ParameterException e) {
            err.println("bench/coldstart: " + e.getMessage());
            err.println();
            cli.usage(new PrintWriter(err, true));
            return 2;
        }
        return run(options, project, out, err, detector);
    }

    static int run(ColdStartOptions options, Path project, PrintStream out, PrintStream err, CgroupsDetector detector)
            throws Exception {
        Results results;
        if (options.reports() != null) {
            String name = options.function() == null ? "traffic" : AwsBenchmark.functionName(options.function());
            results = TrafficReports.results(TrafficReports.read(options.reports()), name,
                    String.valueOf(options.reports().getFileName()));
            out.printf("%s: %s events, %s REPORT records, %s cold starts%s%n", options.reports().getFileName(),
                    results.settings.get("events"), results.settings.get("reports"), results.settings.get("coldStarts"),
                    (int) results.settings.get("unreadableReports") == 0 ? ""
                            : "; " + results.settings.get("unreadableReports") + " REPORT records could not be read");
            if (results.variants.isEmpty()) {
                err.println("bench/coldstart: no cold start in " + options.reports() + " (no REPORT record with an Init Duration"
                        + " or Restore Duration)");
                return 1;
            }
        } else if (options.mode().equals("aws")) {
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
            Cgroups cgroups = null;
            if (options.limits().stream().anyMatch(LambdaLimits::enforced)) {
                try {
                    cgroups = detector.detect();
                } catch (Cgroups.Unavailable e) {
                    err.println("bench/coldstart: cannot impose Lambda's CPU share and memory limit: " + e.getMessage()
                            + "; run as root on Linux with cgroups, or pass --memory off for a run without them");
                    return 2;
                }
                List<String> stale = cgroups.removeStale();
                if (!stale.isEmpty()) {
                    out.println("removed " + stale.size() + " cgroup(s) left by earlier runs that did not end: " + stale);
                }
            }
            results = new LocalBenchmark(options, project, cgroups, out).run();
        }
        Output.write(results, options.out());
        out.println();
        out.print(MarkdownReport.render(results));
        out.println("\nwritten: " + Output.display(project, options.out()) + "/: results.json, results.md, "
                + String.join(", ", Output.charts(results)));
        if (results.anyRunFailed()) {
            out.println("bench/coldstart: at least one run failed (see above)");
            return 1;
        }
        return 0;
    }
}
