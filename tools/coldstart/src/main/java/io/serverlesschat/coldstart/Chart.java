package io.serverlesschat.coldstart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A PNG of the distributions: one panel per figure, one row per variant, every measured run a dot,
 * the min-max range a line and the median a bar. Java2D, headless.
 */
public final class Chart {

    private static final int WIDTH = 1400;
    private static final int ROW = 34;
    private static final int LABEL_WIDTH = 280;
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd),
        new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private Chart() {
    }

    public static void write(Results results, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Results.Variant> shown = results.variants.stream().filter(v -> !v.getSummary().isEmpty()).toList();
        List<Figure> figures = results.figures.stream()
                .filter(f -> shown.stream().anyMatch(v -> v.getSummary().containsKey(f.key()))).toList();
        int panelHeight = 70 + Math.max(1, shown.size()) * ROW;
        int height = 70 + Math.max(1, figures.size()) * panelHeight;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
        g.drawString("Cold start of a $connect (" + results.mode + ") - " + results.startedAt + " - "
                + results.machine.getOrDefault("cores", "?") + " cores", 20, 35);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString("dots: measured runs; line: min to max; bar: median (p50). Warm-up runs left out.", 20, 56);

        int top = 70;
        for (Figure figure : figures) {
            panel(g, results, shown, figure, top, panelHeight);
            top += panelHeight;
        }
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private static void panel(Graphics2D g, Results results, List<Results.Variant> variants, Figure figure, int top, int height) {
        double max = 0;
        for (Results.Variant v : variants) {
            Stats s = v.getSummary().get(figure.key());
            if (s != null) {
                max = Math.max(max, s.max());
            }
        }
        max = niceCeiling(max);
        int left = LABEL_WIDTH;
        int right = WIDTH - 40;
        int plotTop = top + 30;
        int plotBottom = top + height - 30;

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(figure.label() + " (" + figure.unit() + ")", 20, top + 20);

        // Axis with ticks at fifths of the range.
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 5; i++) {
            double value = max * i / 5;
            int x = x(value, max, left, right);
            g.setColor(new Color(0xdddddd));
            g.drawLine(x, plotTop, x, plotBottom);
            g.setColor(Color.DARK_GRAY);
            String text = String.format(Locale.ROOT, "%.0f", value);
            g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, plotBottom + 15);
        }

        int row = 0;
        for (Results.Variant v : variants) {
            Stats s = v.getSummary().get(figure.key());
            if (s == null) {
                continue;
            }
            int y = plotTop + 12 + row * ROW;
            Color color = PALETTE[variants.indexOf(v) % PALETTE.length];
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            FontMetrics fm = g.getFontMetrics();
            g.drawString(v.key, left - 12 - fm.stringWidth(v.key), y + 5);

            g.setColor(color);
            g.setStroke(new BasicStroke(2f));
            g.drawLine(x(s.min(), max, left, right), y, x(s.max(), max, left, right), y);
            for (Results.Run r : v.runs) {
                Double value = r.ok() && !r.warmup() ? r.figures().get(figure.key()) : null;
                if (value != null) {
                    int x = x(value, max, left, right);
                    g.fillOval(x - 4, y - 4 + jitter(r.run()), 8, 8);
                }
            }
            int median = x(s.p50(), max, left, right);
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(3f));
            g.drawLine(median, y - 11, median, y + 11);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString(MarkdownReport.num(s.p50()), median + 6, y - 6);
            row++;
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static int jitter(int run) {
        return (run % 3) * 3 - 3;
    }

    private static int x(double value, double max, int left, int right) {
        return left + (int) Math.round((right - left) * (max == 0 ? 0 : value / max));
    }

    /** A round axis end at or above {@code value}: 1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten. */
    static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 1.5, 2, 3, 4, 5, 6, 8, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
