package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** results.json, the Markdown table and the chart, from known runs. */
class OutputTest {

    @TempDir
    Path dir;

    private static Results sample() {
        Results results = new Results("local", Figure.LOCAL);
        results.startedAt = "2026-11-26T10:00:00Z";
        results.finishedAt = "2026-11-26T10:01:00Z";
        results.machine.put("cores", 2);
        results.machine.put("description", "2 cores");
        Variant connect = new Variant("connect/jvm@17", "connect", "jvm", "17.0.15");
        Variant baseline = new Variant("baseline/jvm@17", "baseline", "jvm", "17.0.15");
        connect.runs.add(new Variant.Run(1, true, figures(5000, 900, 5900), 200, true, null)); // warm-up: left out
        baseline.runs.add(new Variant.Run(1, true, figures(4000, 100, 4100), 200, true, null));
        for (int i = 1; i <= 3; i++) {
            connect.runs.add(new Variant.Run(i, false, figures(600 + i * 10, 150, 750 + i * 10), 200, true, null));
            baseline.runs.add(new Variant.Run(i, false, figures(400 + i * 10, 15, 415 + i * 10), 200, true, null));
        }
        results.variants.add(connect);
        results.variants.add(baseline);
        results.variants.add(Variant.skipped("connect/native", "connect", "native", null, "not-built", "no native zip"));
        Variant baselineCds = new Variant("baseline/jvm-cds@17", "baseline", "jvm-cds", "17.0.15");
        for (int i = 1; i <= 3; i++) {
            baselineCds.runs.add(new Variant.Run(i, false, figures(300 + i * 10, 10, 310 + i * 10), 200, true, null));
        }
        results.variants.add(baselineCds);
        results.addRatios("connect/jvm@17", "baseline/jvm@17");
        results.addRatios("baseline/jvm-cds@17", "baseline/jvm@17");
        return results;
    }

    private static Map<String, Double> figures(double init, double invocation, double total) {
        return Map.of("initMs", init, "invocationMs", invocation, "totalMs", total, "initCpuMs", init * 0.9,
                "totalCpuMs", total * 0.9, "peakRssMb", 170.0);
    }

    @Test
    void summariesLeaveWarmupsOutAndRatiosDivideMedians() {
        Results results = sample();
        Stats total = results.variant("connect/jvm@17").orElseThrow().getSummary().get("totalMs");
        assertEquals(3, total.n());
        assertEquals(770.0, total.p50());
        assertEquals(780.0, total.max(), "the 5900 ms warm-up is not in it");
        Results.Ratio ratio = results.ratios.stream().filter(r -> r.figure().equals("totalMs")).findFirst().orElseThrow();
        assertEquals(770.0 / 435.0, ratio.p50Ratio(), 1e-9);
    }

    @Test
    void writesTheThreeOutputs() throws Exception {
        Output.write(sample(), dir);

        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertEquals(2, json.path("schema").asInt());
        assertEquals("local", json.path("mode").asText());
        JsonNode connect = json.path("variants").get(0);
        assertEquals("connect/jvm@17", connect.path("key").asText());
        assertEquals(770.0, connect.path("summary").path("totalMs").path("p50").asDouble());
        assertEquals(4, connect.path("runs").size());
        assertTrue(connect.path("runs").get(0).path("warmup").asBoolean());
        assertEquals("not-built", json.path("variants").get(2).path("status").asText());
        assertEquals("totalMs", json.path("figures").get(2).path("key").asText());
        assertEquals(693.0, connect.path("summary").path("totalCpuMs").path("p50").asDouble(), 1e-9, "CPU time beside wall time");
        assertEquals(760.0, connect.path("summary").path("totalMs").path("p10").asDouble());
        assertTrue(connect.path("cost").isMissingNode(), "no memory setting, no cost");

        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("| connect/jvm@17 | 17.0.15 | total (exec to answer) (ms) | 3 | 760 | 760 | **770** | 780 | 780 | 1.77 |"), md);
        assertTrue(md.contains("| connect/jvm@17 | 17.0.15 | cold-start CPU time (user+system) (ms) | 3 | 684 | 684 | **693** | 702 | 702 | 1.77 |"), md);
        assertTrue(md.contains("- connect/native: not-built (no native zip)"), md);
        assertTrue(md.contains("| baseline/jvm-cds@17 | 17.0.15 | total (exec to answer) (ms) | 3 | 320 | 320 | **330** | 340 | 340 | - |"),
                "the baseline is not compared with itself in the baseline column:\n" + md);
        assertTrue(md.contains("| total (exec to answer) | baseline/jvm-cds@17 | baseline/jvm@17 | 0.76 |"), md);

        BufferedImage png = ImageIO.read(dir.resolve("chart.png").toFile());
        assertEquals(1400, png.getWidth());
        assertTrue(png.getHeight() > 400);
        assertFalse(Files.exists(dir.resolve("sweep.png")), "one memory setting: no sweep");
    }

    /** Two variants at three memory settings: the sweep chart and the cost of a cold start at each. */
    @Test
    void aMemorySweepGetsItsChartAndACostTable() throws Exception {
        Results results = new Results("local", Figure.LOCAL);
        results.startedAt = "2026-11-27T10:00:00Z";
        results.finishedAt = "2026-11-27T10:30:00Z";
        results.machine.put("loadAverageAtStart", "1.00 1.00 1.00");
        results.machine.put("loadAverageAtEnd", "2.00 1.50 1.20");
        for (String function : new String[] {"connect", "baseline"}) {
            for (int memory : new int[] {128, 256, 1024}) {
                Variant v = new Variant(function + "/jvm@17/" + memory + "MB", function, "jvm", "17.0.15");
                v.memoryMb = memory;
                v.limits = new LambdaLimits(memory, true, LambdaLimits.InitCpu.BURST).describe();
                double scale = 1024.0 / memory * (function.equals("connect") ? 2 : 1);
                for (int i = 1; i <= 3; i++) {
                    v.runs.add(new Variant.Run(i, false, figures(500 * scale, 100 * scale, 600 * scale + i), 200, true, null, 1.5));
                }
                results.variants.add(v);
            }
        }
        Output.write(results, dir);

        assertTrue(Chart.isSweep(results));
        BufferedImage sweep = ImageIO.read(dir.resolve("sweep.png").toFile());
        assertEquals(1400, sweep.getWidth());
        assertEquals(List.of("chart.png", "sweep.png"), Output.charts(results));

        String md = Files.readString(dir.resolve("results.md"));
        // connect at 256 MB: p50 total 2 * 4 * 600 + 2 = 4802 ms; 0.25 GB * 4.802 s = 1.2005 GB-s.
        assertTrue(md.contains("| connect/jvm@17/256MB | 256 MB | 4802 | 1.2005 | 20.01 | 16.01 |"), md);
        assertTrue(md.contains("$0.0000166667 per GB-s (x86_64)"), md);
        assertTrue(md.contains("1.00 1.00 1.00 at the start, 2.00 1.50 1.20 at the end"), md);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertEquals(4802, json.path("variants").get(1).path("cost").path("billedMs").asLong());
        assertEquals(256, json.path("variants").get(1).path("memoryMb").asInt());
    }
}
