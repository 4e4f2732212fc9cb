package io.serverlesschat.runlocal;

import java.nio.file.Files;
import java.nio.file.Path;

/** bin/local's --template: the file as the user named it, from the folder they are in, checked before anything starts. */
final class TemplateOption {

    private TemplateOption() {
    }

    /** @throws IllegalArgumentException (a usage error) when there is no readable file there */
    static Path file(String value, String option) {
        Path file = Path.of(value).toAbsolutePath().normalize();
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " takes a template file, and " + value + " is a folder");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + " " + value + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " " + value + ": cannot be read");
        }
        return file;
    }
}
