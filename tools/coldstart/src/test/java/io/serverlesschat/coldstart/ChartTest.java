package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.CategoryTextAnnotation;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.statistics.BoxAndWhiskerCategoryDataset;
import org.jfree.data.statistics.MultiValueCategoryDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** chart.png: each variant's p50 and n are written on it; a few runs are shown as points, many as a box. */
class ChartTest {

    @TempDir
    Path dir;

    /** connect with 3 measured runs (and a warm-up and a failed run, both left out), baseline with 12. */
    private static Results results() {
        Results results = new Results("local", Figure.LOCAL);
        results.startedAt = "2026-12-03T10:00:00Z";
        Variant connect = new Variant("connect/jvm@17/256MB", "connect", "jvm", "17.0.15");
        connect.runs.add(new Variant.Run(1, true, Map.of("totalMs", 9000.0), 200, true, null));
        connect.runs.add(new Variant.Run(1, false, Map.of("totalMs", 1200.0), 200, true, null));
        connect.runs.add(new Variant.Run(2, false, Map.of("totalMs", 1000.0), 200, true, null));
        connect.runs.add(new Variant.Run(3, false, Map.of("totalMs", 1100.0), 200, true, null));
        connect.runs.add(new Variant.Run(4, false, Map.of(), 500, false, "no item written"));
        Variant baseline = new Variant("baseline/jvm@17/256MB", "baseline", "jvm", "17.0.15");
        for (int i = 1; i <= 12; i++) {
            baseline.runs.add(new Variant.Run(i, false, Map.of("totalMs", 400.0 + i), 200, true, null));
        }
        results.variants.add(connect);
        results.variants.add(baseline);
        return results;
    }

    @Test
    void eachVariantIsLabelledWithItsP50AndN() {
        CategoryPlot total = onlyPanel(Chart.distributionsChart(results()));
        assertEquals(List.of("connect / jvm@17 / 256MB (n = 3)", "baseline / jvm@17 / 256MB (n = 12)"),
                total.getCategories(), "the variants' labels");
        List<String> labels = ((List<?>) total.getAnnotations()).stream().map(CategoryTextAnnotation.class::cast)
                .map(a -> a.getCategory() + ": " + a.getText() + " at " + a.getValue()).toList();
        // Nearest-rank p50, as results.md gives it: 1100 of (1000, 1100, 1200); 406 of 401..412.
        assertEquals(List.of("connect / jvm@17 / 256MB (n = 3): p50 1,100 ms at 1100.0",
                "baseline / jvm@17 / 256MB (n = 12): p50 406 ms at 406.0"), labels);
    }

    @Test
    void aFewRunsArePointsAndManyAreABox() {
        CategoryPlot total = onlyPanel(Chart.distributionsChart(results()));
        BoxAndWhiskerCategoryDataset boxes = (BoxAndWhiskerCategoryDataset) total.getDataset(0);
        MultiValueCategoryDataset points = (MultiValueCategoryDataset) total.getDataset(1);
        assertNull(boxes.getQ1Value(0, 0), "no box for connect's 3 runs");
        assertEquals(List.of(1000.0, 1100.0, 1200.0), points.getValues(0, 0), "connect's runs, each a point");
        assertNotNull(boxes.getQ1Value(0, 1), "a box for baseline's 12 runs");
        assertEquals(List.of(), points.getValues(0, 1), "baseline's runs are in its box, not points");
    }

    @Test
    void theChartIsDrawn() throws Exception {
        Chart.distributions(results(), dir.resolve("chart.png"));
        BufferedImage png = ImageIO.read(dir.resolve("chart.png").toFile());
        assertEquals(Chart.WIDTH, png.getWidth());
    }

    private static CategoryPlot onlyPanel(JFreeChart chart) {
        List<CategoryPlot> panels = ((CombinedDomainCategoryPlot) chart.getPlot()).getSubplots();
        assertEquals(1, panels.size(), "one figure, one panel");
        assertTrue(chart.getSubtitles().stream().filter(TextTitle.class::isInstance)
                .anyMatch(t -> ((TextTitle) t).getText().startsWith("Labels: p50")), "the chart says what its labels are");
        return panels.get(0);
    }
}
