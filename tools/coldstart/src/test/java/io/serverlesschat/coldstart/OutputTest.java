package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Results.Variant connect = new Results.Variant("connect/jvm@17", "connect", "jvm", "17.0.15");
        Results.Variant baseline = new Results.Variant("baseline/jvm@17", "baseline", "jvm", "17.0.15");
        connect.runs.add(new Results.Run(1, true, figures(5000, 900, 5900), 200, true, null)); // warm-up: left out
        baseline.runs.add(new Results.Run(1, true, figures(4000, 100, 4100), 200, true, null));
        for (int i = 1; i <= 3; i++) {
            connect.runs.add(new Results.Run(i, false, figures(600 + i * 10, 150, 750 + i * 10), 200, true, null));
            baseline.runs.add(new Results.Run(i, false, figures(400 + i * 10, 15, 415 + i * 10), 200, true, null));
        }
        results.variants.add(connect);
        results.variants.add(baseline);
        results.variants.add(Results.Variant.skipped("connect/native", "connect", "native", null, "not-built", "no native zip"));
        Results.Variant baselineCds = new Results.Variant("baseline/jvm-cds@17", "baseline", "jvm-cds", "17.0.15");
        for (int i = 1; i <= 3; i++) {
            baselineCds.runs.add(new Results.Run(i, false, figures(300 + i * 10, 10, 310 + i * 10), 200, true, null));
        }
        results.variants.add(baselineCds);
        results.addRatios("connect/jvm@17", "baseline/jvm@17");
        results.addRatios("baseline/jvm-cds@17", "baseline/jvm@17");
        return results;
    }

    private static Map<String, Double> figures(double init, double invocation, double total) {
        return Map.of("initMs", init, "invocationMs", invocation, "totalMs", total, "peakRssMb", 170.0);
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
        assertEquals(1, json.path("schema").asInt());
        assertEquals("local", json.path("mode").asText());
        JsonNode connect = json.path("variants").get(0);
        assertEquals("connect/jvm@17", connect.path("key").asText());
        assertEquals(770.0, connect.path("summary").path("totalMs").path("p50").asDouble());
        assertEquals(4, connect.path("runs").size());
        assertTrue(connect.path("runs").get(0).path("warmup").asBoolean());
        assertEquals("not-built", json.path("variants").get(2).path("status").asText());
        assertEquals("totalMs", json.path("figures").get(2).path("key").asText());

        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("| connect/jvm@17 | 17.0.15 | total (exec to answer) (ms) | 3 | 760 | **770** | 780 | 780 | 1.77 |"), md);
        assertTrue(md.contains("- connect/native: not-built (no native zip)"), md);
        assertTrue(md.contains("| baseline/jvm-cds@17 | 17.0.15 | total (exec to answer) (ms) | 3 | 320 | **330** | 340 | 340 | - |"),
                "the baseline is not compared with itself in the baseline column:\n" + md);
        assertTrue(md.contains("| total (exec to answer) | baseline/jvm-cds@17 | baseline/jvm@17 | 0.76 |"), md);

        BufferedImage png = ImageIO.read(dir.resolve("chart.png").toFile());
        assertEquals(1400, png.getWidth());
        assertTrue(png.getHeight() > 400);
    }
}
