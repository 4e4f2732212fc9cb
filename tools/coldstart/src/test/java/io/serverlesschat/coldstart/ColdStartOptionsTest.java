package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

class ColdStartOptionsTest {

    private static final Path PROJECT = Path.of("../..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private static ColdStartOptions parse(String line) {
        return ColdStartOptions.parse(line.isEmpty() ? new String[0] : line.split(" "), PROJECT);
    }

    @Test
    void localDefaultsTakeTheMemorySettingFromTheTemplate() {
        ColdStartOptions o = parse("");
        assertEquals("local", o.mode());
        assertEquals(List.of("jvm", "jvm-cds", "native"), o.variants());
        assertEquals(List.of("17", "25"), o.jdks());
        assertEquals(20, o.runs());
        assertEquals(1, o.warmup());
        assertFalse(o.baseline());
        assertEquals("https", o.dynamoDb(), "DynamoDB as on AWS: over TLS, on a connection kept open");
        assertEquals(PROJECT.resolve("target/coldstart/local"), o.out());
        assertEquals(List.of(new LambdaLimits(256, true, LambdaLimits.InitCpu.BURST)), o.limits(),
                "MemorySize of OnConnectFunction in sam.native.yaml, imposed, init unthrottled");
        assertEquals(256, ColdStartOptions.templateMemoryMb(PROJECT));
    }

    /** The template's forms of the setting: a literal, a parameter (its default), and Globals.Function's. */
    @Test
    void theMemorySettingIsReadThroughAParameterAndGlobals() throws Exception {
        Files.writeString(dir.resolve("sam.native.yaml"), String.join("\n",
                "Parameters:", "  MemorySize:", "    Type: Number", "    Default: 512",
                "Globals:", "  Function:", "    MemorySize: !Ref MemorySize",
                "Resources:", "  OnConnectFunction:", "    Type: AWS::Serverless::Function", "    Properties:", "      Timeout: 5", ""));
        assertEquals(512, ColdStartOptions.templateMemoryMb(dir));
        Files.writeString(dir.resolve("sam.native.yaml"), String.join("\n",
                "Resources:", "  OnConnectFunction:", "    Type: AWS::Serverless::Function", "    Properties:",
                "      MemorySize: 1024", ""));
        assertEquals(1024, ColdStartOptions.templateMemoryMb(dir));
        Files.writeString(dir.resolve("sam.native.yaml"), String.join("\n",
                "Resources:", "  OnConnectFunction:", "    Type: AWS::Serverless::Function", "    Properties:",
                "      MemorySize: !GetAtt Somewhere.Else", ""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ColdStartOptions.templateMemoryMb(dir));
        assertTrue(e.getMessage().contains("pass --memory"), e.getMessage());
    }

    @Test
    void theDoneWhenCommand() {
        ColdStartOptions o = parse("--variant jvm --variant jvm-cds --baseline --runs 10");
        assertEquals(List.of("jvm", "jvm-cds"), o.variants());
        assertTrue(o.baseline());
        assertEquals(10, o.runs());
    }

    @Test
    void aSweepAndTheInitModel() {
        ColdStartOptions o = parse("--memory 128,256,512,1024,1769 --init-cpu share");
        assertEquals(List.of(128, 256, 512, 1024, 1769), o.limits().stream().map(LambdaLimits::memoryMb).toList());
        assertTrue(o.limits().stream().allMatch(l -> l.enforced() && l.initCpu() == LambdaLimits.InitCpu.SHARE));
        assertEquals(List.of(128, 256), parse("--memory 128 --memory 256,128").limits().stream().map(LambdaLimits::memoryMb).toList(),
                "repeatable, duplicates once");
        LambdaLimits off = parse("--memory off").limits().get(0);
        assertFalse(off.enforced());
        assertEquals(256, off.memoryMb(), "the template's setting still goes into the environment");
    }

    @Test
    void lambdasShareOfACpu() {
        LambdaLimits l = new LambdaLimits(256, true, LambdaLimits.InitCpu.BURST);
        assertEquals(256 / 1769.0, l.vcpus(), 1e-12);
        assertEquals(14_471, l.quotaUs(), "0.1447 of each 100 ms period");
        assertEquals(100_000, new LambdaLimits(1769, true, LambdaLimits.InitCpu.SHARE).quotaUs(), "one vCPU at 1,769 MB");
        assertEquals("256MB", l.label());
        assertEquals("256MB-unlimited", new LambdaLimits(256, false, LambdaLimits.InitCpu.BURST).label());
    }

    @Test
    void awsModeNeedsAFunctionTakesAnArnAndHasNoWarmupByDefault() {
        assertThrows(ParameterException.class, () -> parse("aws"));
        ColdStartOptions o = parse("aws --function f --region us-east-1 --profile bench");
        assertEquals("f", o.function());
        assertEquals("us-east-1", o.region());
        assertEquals("bench", o.profile());
        assertEquals(0, o.warmup());
        assertEquals("serverless-chat-dev-OnConnectFunction-AbC123",
                AwsBenchmark.functionName("arn:aws:lambda:eu-west-1:123456789012:function:serverless-chat-dev-OnConnectFunction-AbC123"));
        assertEquals("plain-name", AwsBenchmark.functionName("plain-name"));
    }

    @Test
    void mistakesAreUsageErrors() {
        for (String bad : List.of("--variant graal", "--runs 0", "--runs", "--runs many", "--function f", "--bogus",
                "--memory 64", "--memory 99999", "--memory 256,off", "--memory lots", "--init-cpu turbo", "cloud",
                "--warmup -1", "aws --function f --memory 256", "--dynamodb ftp", "aws --function f --baseline-zip b.zip")) {
            assertThrows(ParameterException.class, () -> parse(bad), bad);
        }
    }

    @Test
    void withoutUsableCgroupsItSaysWhyInOneLineAndExitsWith2() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ColdStart.CgroupsDetector notRoot = () -> {
            throw new io.serverlesschat.lambda.Cgroups.Unavailable(
                    "cannot create a cgroup in /sys/fs/cgroup/cpu: permission denied (it needs root)");
        };
        assertEquals(2, ColdStart.execute(new String[] {"--variant", "jvm", "--out", dir.toString()}, PROJECT,
                new PrintStream(out), new PrintStream(err), notRoot));
        String line = err.toString(StandardCharsets.UTF_8);
        assertEquals("bench/coldstart: cannot impose Lambda's CPU share and memory limit: cannot create a cgroup in"
                + " /sys/fs/cgroup/cpu: permission denied (it needs root); run as root on Linux with cgroups, or pass"
                + " --memory off for a run without them" + System.lineSeparator(), line, "one line, nothing else");
        assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing ran");
        assertFalse(Files.exists(dir.resolve("results.json")));
    }

    @Test
    void helpAndUsageErrorsAsTheCommandLineShowsThem() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, ColdStart.execute(new String[] {"--help"}, PROJECT, new PrintStream(out), new PrintStream(err)));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String option : List.of("--memory", "--init-cpu", "--variant", "--jdk", "--function", "--runs", "Exit status")) {
            assertTrue(help.contains(option), option + " in:\n" + help);
        }

        out.reset();
        assertEquals(2, ColdStart.execute(new String[] {"--init-cpu", "turbo"}, PROJECT, new PrintStream(out), new PrintStream(err)));
        String usage = err.toString(StandardCharsets.UTF_8);
        assertTrue(usage.startsWith("bench/coldstart: --init-cpu is burst or share, not turbo"), usage);
        assertTrue(usage.contains("Usage:"), "the usage follows the error");
        assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing ran");
    }

    @Test
    void routesDefaultToConnectAndTakeTheAuthorizer() {
        assertEquals(List.of("connect"), parse("").routes());
        assertEquals(List.of("authorize"), parse("--route authorize").routes());
        assertEquals(List.of("authorize", "connect"), parse("--route authorize,connect --route authorize").routes(),
                "in the order given, once each");
        assertTrue(assertThrows(ParameterException.class, () -> parse("--route disconnect")).getMessage()
                .contains("unknown route disconnect (connect, authorize)"));
        assertTrue(assertThrows(ParameterException.class, () -> parse("aws --function f --route authorize")).getMessage()
                .contains("--route belongs to local mode"));
    }
}
