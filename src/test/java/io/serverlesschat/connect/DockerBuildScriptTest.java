package io.serverlesschat.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker/build.sh in front of a stand-in docker that records what it is asked to do. */
class DockerBuildScriptTest {

    @TempDir
    Path tmp;

    @Test
    void anEngineThatDoesNotAnswerIsOneLineBeforeAnyBuild() throws Exception {
        // What Docker's CLI says, and exits with, when its daemon is not running.
        docker("echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1");
        Process script = run();
        assertEquals(List.of("docker/build.sh: " + tmp.resolve("bin/docker") + " is installed but does not answer (docker info"
                + " failed): start it (the Docker daemon or Docker Desktop; podman machine start), or build on the host with"
                + " Maven (docs/deploy.md)"), lines("err"));
        assertEquals(1, script.exitValue());
        assertEquals(List.of("info"), lines("calls"), "docker was asked for nothing but info");
    }

    @Test
    void anEngineThatAnswersIsAskedToBuild() throws Exception {
        docker("[ \"$1\" = info ] && exit 0; exit 3");
        Process script = run();
        assertEquals(3, script.exitValue(), "stderr: " + lines("err"));
        assertTrue(lines("calls").stream().anyMatch(call -> call.startsWith("build ")), "calls: " + lines("calls"));
    }

    /** A docker on PATH that appends its arguments to calls, then runs {@code body}. */
    private void docker(String body) throws IOException {
        Path docker = Files.createDirectories(tmp.resolve("bin")).resolve("docker");
        Files.writeString(docker, "#!/bin/sh\necho \"$*\" >> '" + tmp.resolve("calls") + "'\n" + body + "\n");
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process run() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Path.of("docker/build.sh").toAbsolutePath().toString())
                .redirectOutput(tmp.resolve("out").toFile())
                .redirectError(tmp.resolve("err").toFile());
        builder.environment().put("PATH", tmp.resolve("bin") + ":/usr/bin:/bin");
        builder.environment().remove("CONTAINER_ENGINE");
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "docker/build.sh ended");
        return process;
    }

    private List<String> lines(String file) throws IOException {
        return Files.readAllLines(tmp.resolve(file), StandardCharsets.UTF_8);
    }
}
