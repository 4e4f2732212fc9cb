package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ColdStartOptionsTest {

    private static final Path PROJECT = Path.of("/project");

    @Test
    void localDefaults() {
        ColdStart.Options o = ColdStart.Options.parse(new String[0], PROJECT);
        assertEquals("local", o.mode());
        assertEquals(List.of("jvm", "jvm-cds", "native"), o.variants());
        assertEquals(List.of("17", "25"), o.jdks());
        assertEquals(20, o.runs());
        assertEquals(1, o.warmup());
        assertFalse(o.baseline());
        assertEquals(PROJECT.resolve("target/coldstart/local"), o.out());
    }

    @Test
    void theDoneWhenCommand() {
        ColdStart.Options o = ColdStart.Options.parse(
                "--variant jvm --variant jvm-cds --baseline --runs 10".split(" "), PROJECT);
        assertEquals(List.of("jvm", "jvm-cds"), o.variants());
        assertTrue(o.baseline());
        assertEquals(10, o.runs());
    }

    @Test
    void awsModeNeedsAFunctionAndHasNoWarmupByDefault() {
        assertThrows(ColdStart.UsageError.class, () -> ColdStart.Options.parse(new String[] {"aws"}, PROJECT));
        ColdStart.Options o = ColdStart.Options.parse("aws --function f --region us-east-1 --profile bench".split(" "), PROJECT);
        assertEquals("f", o.function());
        assertEquals("us-east-1", o.region());
        assertEquals("bench", o.profile());
        assertEquals(0, o.warmup());
    }

    @Test
    void mistakesAreUsageErrors() {
        assertThrows(ColdStart.UsageError.class, () -> ColdStart.Options.parse("--variant graal".split(" "), PROJECT));
        assertThrows(ColdStart.UsageError.class, () -> ColdStart.Options.parse("--runs 0".split(" "), PROJECT));
        assertThrows(ColdStart.UsageError.class, () -> ColdStart.Options.parse("--runs".split(" "), PROJECT));
        assertThrows(ColdStart.UsageError.class, () -> ColdStart.Options.parse("--function f".split(" "), PROJECT));
        assertThrows(ColdStart.UsageError.class, () -> ColdStart.Options.parse("--bogus".split(" "), PROJECT));
    }
}
