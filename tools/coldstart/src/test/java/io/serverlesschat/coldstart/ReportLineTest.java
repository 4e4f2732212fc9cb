package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** REPORT records in the formats Lambda writes them (text lines are tab-separated, with a trailing tab). */
class ReportLineTest {

    @Test
    void aColdStartOfAnOnDemandFunction() {
        ReportLine r = ReportLine.parseText("REPORT RequestId: 6f7f0961-1a2b-4c3d-9e8f-0123456789ab\tDuration: 118.76 ms\t"
                + "Billed Duration: 589 ms\tMemory Size: 1024 MB\tMax Memory Used: 62 MB\tInit Duration: 469.71 ms\t");
        assertEquals("6f7f0961-1a2b-4c3d-9e8f-0123456789ab", r.requestId());
        assertEquals(118.76, r.durationMs());
        assertEquals(589, r.billedDurationMs());
        assertEquals(1024, r.memorySizeMb());
        assertEquals(62, r.maxMemoryUsedMb());
        assertEquals(469.71, r.initDurationMs().getAsDouble());
        assertTrue(r.restoreDurationMs().isEmpty());
        assertTrue(r.cold());
        assertEquals(588.47, r.coldStartMs(), 1e-9);
    }

    @Test
    void aWarmInvocationHasNoInitDuration() {
        ReportLine r = ReportLine.parseText("REPORT RequestId: 0b8e4c7a-5d6e-4f70-8192-a3b4c5d6e7f8\tDuration: 7.03 ms\t"
                + "Billed Duration: 8 ms\tMemory Size: 1024 MB\tMax Memory Used: 63 MB\t");
        assertEquals(7.03, r.durationMs());
        assertEquals(8, r.billedDurationMs());
        assertFalse(r.cold());
        assertEquals(7.03, r.coldStartMs());
    }

    @Test
    void aSnapStartRestoreHasRestoreDurationNotInitDuration() {
        ReportLine r = ReportLine.parseText("REPORT RequestId: 2d1f3c4b-6a7e-4b8c-9d0e-1f2a3b4c5d6e\tDuration: 203.48 ms\t"
                + "Billed Duration: 377 ms\tMemory Size: 1024 MB\tMax Memory Used: 141 MB\tRestore Duration: 283.52 ms\t"
                + "Billed Restore Duration: 173 ms\t");
        assertEquals(203.48, r.durationMs(), "Duration is not confused with Restore Duration");
        assertEquals(377, r.billedDurationMs(), "Billed Duration is not confused with Billed Restore Duration");
        assertEquals(283.52, r.restoreDurationMs().getAsDouble(), "Restore Duration is not Billed Restore Duration");
        assertTrue(r.initDurationMs().isEmpty());
        assertTrue(r.cold());
        assertEquals(487.0, r.coldStartMs(), 1e-9);
    }

    @Test
    void theReportIsFoundInAWholeLogTailAsInvokeReturnsIt() {
        String tail = """
                INIT_START Runtime Version: provided:al2023.v93\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:0123abcd
                START RequestId: 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d Version: $LATEST
                {"timestamp":"2026-11-26T09:14:02.455Z","level":"INFO","message":"$connect 200 ok in 41 ms"}
                END RequestId: 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d
                REPORT RequestId: 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d\tDuration: 44.12 ms\tBilled Duration: 291 ms\tMemory Size: 1024 MB\tMax Memory Used: 58 MB\tInit Duration: 246.30 ms\t
                XRAY TraceId: 1-6745c1d2-3f0a9b8c7d6e5f4a3b2c1d0e\tSegmentId: 4f1a2b3c4d5e6f70\tSampled: true
                """;
        ReportLine r = ReportLine.find(tail).orElseThrow();
        assertEquals("9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d", r.requestId());
        assertEquals(246.30, r.initDurationMs().getAsDouble());
        assertEquals(44.12, r.durationMs());
    }

    @Test
    void theJsonLogFormatsPlatformReport() {
        String tail = """
                {"time":"2026-11-26T09:14:02.100Z","type":"platform.start","record":{"requestId":"c0ffee00-1111-4222-8333-444455556666","version":"$LATEST"}}
                {"time":"2026-11-26T09:14:02.160Z","type":"platform.report","record":{"requestId":"c0ffee00-1111-4222-8333-444455556666","metrics":{"durationMs":52.37,"billedDurationMs":53,"memorySizeMB":1024,"maxMemoryUsedMB":148,"initDurationMs":2403.88},"status":"success"}}
                """;
        ReportLine r = ReportLine.find(tail).orElseThrow();
        assertEquals("c0ffee00-1111-4222-8333-444455556666", r.requestId());
        assertEquals(52.37, r.durationMs());
        assertEquals(53, r.billedDurationMs());
        assertEquals(148, r.maxMemoryUsedMb());
        assertEquals(2403.88, r.initDurationMs().getAsDouble());
    }

    @Test
    void noReportNoFigures() {
        assertEquals(Optional.empty(), ReportLine.find("START RequestId: x Version: $LATEST\nEND RequestId: x\n"));
    }

    @Test
    void aTruncatedLineIsAnErrorNamingTheField() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ReportLine.parseText("REPORT RequestId: x\tDuration: 1.00 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t"));
        assertTrue(e.getMessage().contains("Max Memory Used"), e.getMessage());
    }
}
