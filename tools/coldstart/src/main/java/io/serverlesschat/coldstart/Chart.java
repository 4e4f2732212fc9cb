package io.serverlesschat.coldstart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.CategoryPointerAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.renderer.category.ScatterRenderer;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.statistics.BoxAndWhiskerCalculator;
import org.jfree.data.statistics.BoxAndWhiskerItem;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.data.statistics.DefaultMultiValueCategoryDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The benchmark's PNG charts, drawn by JFreeChart (headless): the distribution of every figure per
 * variant ({@link #distributions}), and for a memory sweep the cold start against the memory setting
 * ({@link #sweep}).
 */
public final class Chart {

    static final int WIDTH = 1400;
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd),
        new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private Chart() {
    }

    /**
     * One panel per figure (its own axis and unit), one column per variant over its measured runs, labelled
     * with its p50 (nearest rank, as in results.md) and, under the variant, n. From {@link #FEW_RUNS} runs on,
     * a box: it spans the quartiles, the line in it is the median, the whiskers reach the extreme runs within
     * 1.5 box lengths, circles are runs beyond. With fewer, each run is a point: the quartiles of 3 runs are
     * the runs themselves, interpolated, and a box would suggest a spread that was never measured. Warm-up
     * and failed runs are left out.
     */
    public static void distributions(Results results, Path png) throws IOException {
        JFreeChart chart = distributionsChart(results);
        int panels = ((CombinedDomainCategoryPlot) chart.getPlot()).getSubplots().size();
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, 180 + 190 * Math.max(1, panels));
    }

    /** With fewer measured runs than this, a variant's runs are drawn one by one, not as a box. */
    static final int FEW_RUNS = 10;

    static JFreeChart distributionsChart(Results results) {
        System.setProperty("java.awt.headless", "true");
        List<Variant> shown = results.variants.stream().filter(v -> !v.getSummary().isEmpty()).toList();
        List<Figure> figures = results.figures.stream().filter(Figure::charted)
                .filter(f -> shown.stream().anyMatch(v -> v.getSummary().containsKey(f.key()))).toList();
        CategoryAxis variants = new CategoryAxis("variant / memory setting (n: measured runs)");
        variants.setMaximumCategoryLabelLines(3);
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(variants);
        plot.setGap(12);
        for (Figure figure : figures) {
            // Every variant is a column of both datasets (empty in one), so that both renderers place it alike.
            DefaultBoxAndWhiskerCategoryDataset boxes = new DefaultBoxAndWhiskerCategoryDataset();
            DefaultMultiValueCategoryDataset points = new DefaultMultiValueCategoryDataset();
            List<CategoryPointerAnnotation> medians = new ArrayList<>();
            for (Variant v : shown) {
                List<Double> values = v.runs.stream().filter(r -> r.ok() && !r.warmup())
                        .map(r -> r.figures().get(figure.key())).filter(Objects::nonNull).toList();
                String column = label(v);
                boolean few = values.size() < FEW_RUNS;
                boxes.add(few ? NO_BOX : BoxAndWhiskerCalculator.calculateBoxAndWhiskerStatistics(values), figure.key(), column);
                points.add(few ? values : List.of(), figure.key(), column);
                Stats stats = v.getSummary().get(figure.key());
                if (stats != null) {
                    // To the right of the box (at most 0.08 of the width: about 56 px each side), pointing at p50.
                    CategoryPointerAnnotation median = new CategoryPointerAnnotation(
                            "p50 " + number(stats.p50()) + " " + figure.unit(), column, stats.p50(), 0);
                    median.setTipRadius(60);
                    median.setBaseRadius(72);
                    median.setArrowLength(6);
                    median.setLabelOffset(3);
                    median.setTextAnchor(TextAnchor.CENTER_LEFT);
                    median.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                    medians.add(median);
                }
            }
            NumberAxis axis = new NumberAxis(figure.axisLabel());
            axis.setLabelFont(axis.getLabelFont().deriveFont(11f));
            Color color = PALETTE[figures.indexOf(figure) % PALETTE.length];
            BoxAndWhiskerRenderer boxRenderer = new BoxAndWhiskerRenderer();
            boxRenderer.setSeriesPaint(0, color);
            boxRenderer.setMaxOutlierVisible(true);
            boxRenderer.setMeanVisible(false);
            boxRenderer.setMaximumBarWidth(0.08);
            ScatterRenderer pointRenderer = new ScatterRenderer();
            pointRenderer.setSeriesPaint(0, color);
            pointRenderer.setSeriesShape(0, new Ellipse2D.Double(-4, -4, 8, 8));
            pointRenderer.setUseOutlinePaint(true);
            pointRenderer.setSeriesOutlinePaint(0, color.darker());
            CategoryPlot panel = new CategoryPlot(boxes, null, axis, boxRenderer);
            panel.setDataset(1, points);
            panel.setRenderer(1, pointRenderer);
            medians.forEach(panel::addAnnotation);
            plot.add(panel, 1);
        }
        plot.setOrientation(PlotOrientation.VERTICAL);
        JFreeChart chart = new JFreeChart("Cold start of a $connect (" + results.mode + "), " + results.startedAt,
                new Font(Font.SANS_SERIF, Font.BOLD, 18), plot, false);
        chart.addSubtitle(new TextTitle(subtitle(results), new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.addSubtitle(new TextTitle("Labels: p50 (nearest rank, as in results.md). From " + FEW_RUNS + " runs on, boxes:"
                + " quartiles and median (interpolated) of the measured runs; whiskers: the extreme runs within 1.5 box"
                + " lengths; circles: runs beyond. With fewer runs, dots: each run. Warm-up and failed runs left out.",
                new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** A column with no box: its variant's runs are drawn as points. */
    private static final BoxAndWhiskerItem NO_BOX = new BoxAndWhiskerItem(null, null, null, null, null, null, null, null, null);

    /** Whether the results hold more than one memory setting: then {@link #sweep} has something to show. */
    public static boolean isSweep(Results results) {
        return results.variants.stream().filter(v -> !v.getSummary().isEmpty()).map(v -> v.memoryMb)
                .filter(Objects::nonNull).distinct().count() > 1;
    }

    /**
     * The cold start against the memory setting, one line per function and variant: the median as the line,
     * p10 to p90 as the band around it; wall time above, CPU time below; memory on a log-2 scale.
     */
    public static void sweep(Results results, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        String measured = results.variants.stream().map(v -> v.memoryMb).filter(Objects::nonNull).distinct().sorted()
                .map(String::valueOf).collect(Collectors.joining(", "));
        LogAxis memory = new LogAxis("memory setting, MB (measured: " + measured + "; CPU share: setting / 1769 vCPU)");
        memory.setBase(2);
        memory.setNumberFormatOverride(new DecimalFormat("0"));
        memory.setSmallestValue(64);
        memory.setTickUnit(new NumberTickUnit(1)); // a tick at each power of 2: 128, 256, 512, ...
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(memory);
        plot.setGap(16);
        for (Figure figure : List.of(Figure.TOTAL, Figure.TOTAL_CPU)) {
            Map<String, YIntervalSeries> lines = new LinkedHashMap<>();
            for (Variant v : results.variants) {
                Stats s = v.getSummary().get(figure.key());
                if (s == null || v.memoryMb == null) {
                    continue;
                }
                String line = v.key.substring(0, v.key.lastIndexOf('/'));
                lines.computeIfAbsent(line, YIntervalSeries::new).add(v.memoryMb, s.p50(), s.p10(), s.p90());
            }
            YIntervalSeriesCollection data = new YIntervalSeriesCollection();
            lines.values().forEach(data::addSeries);
            NumberAxis axis = new NumberAxis(figure.axisLabel() + " (p50, p10-p90)");
            axis.setLabelFont(axis.getLabelFont().deriveFont(11f));
            DeviationRenderer renderer = new DeviationRenderer(true, true);
            for (int i = 0; i < data.getSeriesCount(); i++) {
                Color color = PALETTE[i % PALETTE.length];
                renderer.setSeriesPaint(i, color);
                renderer.setSeriesFillPaint(i, color);
                renderer.setSeriesStroke(i, new BasicStroke(2f));
            }
            renderer.setAlpha(0.2f);
            XYPlot panel = new XYPlot(data, null, axis, renderer);
            plot.add(panel, 1);
            if (plot.getFixedLegendItems() == null) {
                plot.setFixedLegendItems(panel.getLegendItems()); // the same lines in both panels: one legend
            }
        }
        JFreeChart chart = new JFreeChart("Cold start of a $connect by memory setting, " + results.startedAt,
                new Font(Font.SANS_SERIF, Font.BOLD, 18), plot, true);
        chart.addSubtitle(new TextTitle(subtitle(results), new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, 900);
    }

    /** A variant's key, broken where a label may wrap, and its number of measured runs. */
    private static String label(Variant v) {
        long n = v.runs.stream().filter(r -> r.ok() && !r.warmup()).count();
        return v.key.replace("/", " / ") + " (n = " + n + ")";
    }

    private static String number(double value) {
        return new DecimalFormat(Math.abs(value) >= 100 ? "#,##0" : "#,##0.#", DecimalFormatSymbols.getInstance(Locale.ROOT))
                .format(value);
    }

    private static String subtitle(Results results) {
        String model = switch (String.valueOf(results.settings.get("initCpu"))) {
            case "burst" -> "; init unthrottled, invocation at the memory's CPU share";
            case "share" -> "; the whole cold start at the memory's CPU share";
            default -> "";
        };
        return results.machine.getOrDefault("description", "?") + model + "; load average "
                + results.machine.getOrDefault("loadAverageAtStart", "?") + " at the start, "
                + results.machine.getOrDefault("loadAverageAtEnd", "?") + " at the end";
    }
}
