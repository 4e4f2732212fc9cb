package io.serverlesschat.runlocal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** The tests' Lambda functions: shell bootstraps that speak the Runtime API with curl, zipped as a template's CodeUri. */
final class ShellFunction {

    private ShellFunction() {
    }

    /**
     * A bootstrap that answers each event ($event, its request id $id) with what {@code answer}, shell lines,
     * print: a proxy answer's JSON.
     */
    static String answering(String answer) {
        return """
                #!/bin/sh
                set -eu
                api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
                headers=$(mktemp)
                while true; do
                  event=$(curl -sS -D "$headers" "$api/next")
                  id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | cut -d' ' -f2 | tr -d '\\r')
                  { %s
                  } | curl -sS -X POST -H 'Content-Type: application/json' --data-binary @- "$api/$id/response" >/dev/null
                done
                """.formatted(answer);
    }

    /** The event as a JSON string's content, for an answer's body. */
    static final String ESCAPED_EVENT = "$(printf '%s' \"$event\" | sed 's/\\\\/\\\\\\\\/g; s/\"/\\\\\"/g')";

    /** A zip function whose bootstrap is {@code script}. */
    static void zip(Path zip, String script) throws IOException {
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
            out.putNextEntry(new ZipEntry("bootstrap"));
            out.write(script.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }
}
