package io.serverlesschat.localdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where moto_server is found, on a fake machine in a temporary folder: a home, and a pyenv root outside it
 * with a shim and three Python versions, the one pyenv selects among those without moto.
 */
class MotoServerTest {

    @TempDir
    Path tmp;

    Path home;
    Path pyenv;
    Path shims;
    Path noBin;

    @BeforeEach
    void fakeMachine() throws IOException {
        home = Files.createDirectories(tmp.resolve("home/someone"));
        pyenv = tmp.resolve("opt/pyenv");
        shims = pyenv.resolve("shims");
        executable(shims.resolve("moto_server"), "#!/bin/sh\nexec pyenv exec moto_server \"$@\"\n");
        Files.createDirectories(pyenv.resolve("versions/3.9.1/bin"));
        executable(pyenv.resolve("versions/3.11.7/bin/moto_server"), "#!/bin/sh\n");
        executable(pyenv.resolve("versions/3.12.0/bin/moto_server"), "#!/bin/sh\n");
        Files.writeString(pyenv.resolve("version"), "3.9.1\n");
        noBin = Files.createDirectories(tmp.resolve("bin"));
    }

    @Test
    void aPyenvShimOnPathIsResolvedToAVersionThatHasMoto() {
        // The shim would run pyenv's selected 3.9.1, which has no moto_server; PYENV_ROOT is not set.
        assertEquals(Optional.of(version("3.11.7")), MotoServer.find(Map.of("PATH", noBin + ":" + shims, "HOME", home.toString())));
    }

    @Test
    void pyenvsSelectedVersionComesFirstWhenItHasMoto() throws IOException {
        assertEquals(Optional.of(version("3.12.0")), MotoServer.find(Map.of("PATH", shims.toString(), "HOME", home.toString(),
                "PYENV_VERSION", "3.12.0")));
        Files.writeString(pyenv.resolve("version"), "3.12.0\n");
        assertEquals(Optional.of(version("3.12.0")), MotoServer.find(Map.of("PATH", shims.toString(), "HOME", home.toString())));
    }

    @Test
    void pyenvRootOutsideHomeIsFoundThroughPyenvRoot() {
        assertEquals(Optional.of(version("3.11.7")), MotoServer.find(Map.of("PATH", noBin.toString(), "HOME", home.toString(),
                "PYENV_ROOT", pyenv.toString())));
    }

    @Test
    void pyenvUnderHomeIsFoundWithoutPyenvRoot() throws IOException {
        Path moto = executable(home.resolve(".pyenv/versions/3.10.4/bin/moto_server"), "#!/bin/sh\n");
        assertEquals(Optional.of(moto), MotoServer.find(Map.of("PATH", noBin.toString(), "HOME", home.toString())));
    }

    @Test
    void pathInItsOrderThenPipsUserFolderThenPyenvRoot() throws IOException {
        Path pip = executable(home.resolve(".local/bin/moto_server"), "#!/bin/sh\n");
        Path venv = executable(tmp.resolve("venv/bin/moto_server"), "#!/bin/sh\n");
        assertEquals(Optional.of(venv), MotoServer.find(Map.of("PATH", venv.getParent() + ":" + shims, "HOME", home.toString())));
        assertEquals(Optional.of(version("3.11.7")), MotoServer.find(Map.of("PATH", shims + ":" + venv.getParent(),
                "HOME", home.toString())));
        assertEquals(Optional.of(pip), MotoServer.find(Map.of("PATH", noBin.toString(), "HOME", home.toString(),
                "PYENV_ROOT", pyenv.toString())));
    }

    @Test
    void motoServerVariableComesFirst() throws IOException {
        Path mine = executable(tmp.resolve("mine/moto_server"), "#!/bin/sh\n");
        assertEquals(Optional.of(mine), MotoServer.find(Map.of("MOTO_SERVER", mine.toString(), "PATH", shims.toString(),
                "HOME", home.toString())));
    }

    @Test
    void aMotoServerVariableNamingNoExecutableIsSaidNotSkipped() throws IOException {
        Files.writeString(noBin.resolve("moto_server"), "not executable");
        for (Path wrong : List.of(tmp.resolve("no/such/moto_server"), noBin.resolve("moto_server"))) {
            IllegalArgumentException said = assertThrows(IllegalArgumentException.class, () -> MotoServer.find(
                    Map.of("MOTO_SERVER", wrong.toString(), "PATH", shims.toString(), "HOME", home.toString())));
            assertTrue(said.getMessage().startsWith("MOTO_SERVER is " + wrong + ", which is not an executable file"),
                    said.getMessage());
        }
    }

    @Test
    void nothingExecutableIsNothingFound() throws IOException {
        Files.writeString(noBin.resolve("moto_server"), "not executable");
        assertEquals(Optional.empty(), MotoServer.find(Map.of("PATH", noBin.toString(), "HOME", home.toString())));
    }

    /** bin/local and .ci/run run the source file itself, before any build: it must need nothing but the JDK. */
    @Test
    void theSourceFileRunsAloneAndSaysWhatItFound() throws Exception {
        List<String> found = run(Map.of("PATH", shims.toString(), "HOME", home.toString()), 0);
        assertEquals(List.of(version("3.11.7").toString()), found);

        List<String> missing = run(Map.of("PATH", noBin.toString(), "HOME", home.toString()), 1);
        assertEquals(List.of("some/command: " + MotoServer.MISSING), missing);
    }

    private List<String> run(Map<String, String> env, int expectedStatus) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                Path.of("src/localdev/java/io/serverlesschat/localdev/MotoServer.java").toAbsolutePath().toString(), "some/command")
                .redirectOutput(tmp.resolve("out").toFile())
                .redirectError(tmp.resolve("err").toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "java MotoServer.java ended");
        List<String> out = Files.readAllLines(tmp.resolve("out"), StandardCharsets.UTF_8);
        List<String> err = Files.readAllLines(tmp.resolve("err"), StandardCharsets.UTF_8);
        assertEquals(expectedStatus, process.exitValue(), "exit status; stderr: " + err);
        return expectedStatus == 0 ? out : err;
    }

    private Path version(String version) {
        return pyenv.resolve("versions").resolve(version).resolve("bin/moto_server");
    }

    private static Path executable(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
