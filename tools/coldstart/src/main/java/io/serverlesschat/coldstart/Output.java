package io.serverlesschat.coldstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a benchmark's three outputs: results.json, results.md and chart.png. */
final class Output {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Output() {
    }

    static void write(Results results, Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("results.json").toFile(), results);
        Files.writeString(dir.resolve("results.md"), MarkdownReport.render(results));
        Chart.write(results, dir.resolve("chart.png"));
    }

    static String json(Results results) throws IOException {
        return JSON.writeValueAsString(results);
    }
}
