package io.serverlesschat.coldstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes a benchmark's outputs: results.json, results.md, chart.png and, for a memory sweep, sweep.png. */
final class Output {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Output() {
    }

    static void write(Results results, Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("results.json").toFile(), results);
        Files.writeString(dir.resolve("results.md"), MarkdownReport.render(results));
        Chart.distributions(results, dir.resolve("chart.png"));
        if (Chart.isSweep(results)) {
            Chart.sweep(results, dir.resolve("sweep.png"));
        }
    }

    /** The chart files {@link #write} makes for these results. */
    static List<String> charts(Results results) {
        List<String> names = new ArrayList<>(List.of("chart.png"));
        if (Chart.isSweep(results)) {
            names.add("sweep.png");
        }
        return names;
    }

    static String json(Results results) throws IOException {
        return JSON.writeValueAsString(results);
    }

    /**
     * A path as outputs record it: relative to the project when inside it (results are committed and
     * must not carry this machine's paths), else only its last element.
     */
    static String display(Path project, Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        if (absolute.startsWith(project)) {
            String relative = project.relativize(absolute).toString();
            return relative.isEmpty() ? "." : relative;
        }
        return "(outside the repository)/" + absolute.getFileName();
    }
}
