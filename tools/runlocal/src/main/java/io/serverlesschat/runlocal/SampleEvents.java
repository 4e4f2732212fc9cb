package io.serverlesschat.runlocal;

import java.nio.file.Files;
import java.nio.file.Path;

/** The sample events of the Ready banner's curl lines: the project's test events, where one exists for the route. */
final class SampleEvents {

    private SampleEvents() {
    }

    /**
     * The project's src/test/resources/events/NAME.json for {@code routeKey} (NAME: the key without its
     * leading $), as a path from the folder bin/local runs in; EVENT.json, for the user to write, when there is none.
     */
    static String fileFor(Path project, String routeKey) {
        String name = routeKey.startsWith("$") ? routeKey.substring(1) : routeKey;
        Path file = project.resolve("src/test/resources/events/" + name + ".json");
        if (!Files.isRegularFile(file)) {
            return "EVENT.json";
        }
        Path here = Path.of("").toAbsolutePath();
        return file.startsWith(here) ? here.relativize(file).toString() : file.toString();
    }
}
