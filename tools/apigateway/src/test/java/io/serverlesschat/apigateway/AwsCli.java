package io.serverlesschat.apigateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The AWS CLI that tests run as a user does, against the gateway's @connections API. */
public final class AwsCli {

    private AwsCli() {
    }

    /** AWS_CLI, else aws on PATH, else where pyenv puts it (as .ci/run finds cfn-lint). */
    public static String path() throws IOException {
        String given = System.getenv("AWS_CLI");
        if (given != null && !given.isBlank()) {
            return given;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "aws"))) {
                return Path.of(dir, "aws").toString();
            }
        }
        Path versions = Path.of(System.getProperty("user.home"), ".pyenv", "versions");
        if (Files.isDirectory(versions)) {
            try (var pythons = Files.list(versions)) {
                for (Path python : pythons.sorted().toList()) {
                    if (Files.isExecutable(python.resolve("bin/aws"))) {
                        return python.resolve("bin/aws").toString();
                    }
                }
            }
        }
        throw new AssertionError("this test needs the AWS CLI (pip install awscli), on PATH or named by AWS_CLI");
    }
}
