package io.serverlesschat.localdev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where the moto_server executable is: MOTO_SERVER, then PATH, then ~/.local/bin (pip --user), then the
 * Python versions of pyenv (PYENV_ROOT, or ~/.pyenv). A pyenv shim on PATH is resolved to the installed
 * version that has moto_server: run as it is, a shim picks pyenv's selected version, which may not have it.
 *
 * <p>Plain JDK only, so that bin/local and .ci/run can run this file as it is ({@code java MotoServer.java})
 * before anything is built, and accept exactly what the tests and tools accept.
 */
public final class MotoServer {

    private static final String NAME = "moto_server";

    /** The one line for a machine without moto_server: what to install, or what to set instead. */
    public static final String MISSING = "no moto_server on PATH, in ~/.local/bin or in pyenv's versions (PYENV_ROOT"
            + " or ~/.pyenv): install it (pip install 'moto[server]'), set MOTO_SERVER to its path, or set"
            + " DYNAMODB_ENDPOINT to a running DynamoDB-compatible server";

    private MotoServer() {
    }

    /**
     * The first executable moto_server, looked up with {@code env} as the process environment.
     *
     * @throws IllegalArgumentException when MOTO_SERVER names no executable file: a setting the user made is
     *                                  wrong, and silently taking another moto_server would hide it
     */
    public static Optional<Path> find(Map<String, String> env) {
        List<Path> candidates = new ArrayList<>();
        String explicit = env.get("MOTO_SERVER");
        if (explicit != null && !explicit.isBlank()) {
            Path given = Path.of(explicit);
            if (!Files.isRegularFile(given) || !Files.isExecutable(given)) {
                throw new IllegalArgumentException("MOTO_SERVER is " + explicit + ", which is not an executable file:"
                        + " set it to moto_server's path, or unset it to look on PATH and in pyenv's versions");
            }
            return Optional.of(given);
        }
        for (String dir : env.getOrDefault("PATH", "").split(":")) {
            if (dir.isBlank()) {
                continue;
            }
            Path root = Path.of(dir).getParent();
            if (Path.of(dir).endsWith("shims") && root != null && Files.isDirectory(root.resolve("versions"))) {
                candidates.addAll(inPyenv(root, env));
            } else {
                candidates.add(Path.of(dir, NAME));
            }
        }
        Path home = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")));
        candidates.add(home.resolve(".local/bin").resolve(NAME));
        String pyenvRoot = env.get("PYENV_ROOT");
        candidates.addAll(inPyenv(pyenvRoot != null && !pyenvRoot.isBlank() ? Path.of(pyenvRoot) : home.resolve(".pyenv"), env));
        return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }

    /** moto_server in each Python version under a pyenv root: pyenv's selected versions first, then the others. */
    private static List<Path> inPyenv(Path root, Map<String, String> env) {
        Set<String> versions = new LinkedHashSet<>();
        String selected = env.get("PYENV_VERSION");
        if (selected != null && !selected.isBlank()) {
            versions.addAll(List.of(selected.trim().split("[:\\s]+")));
        }
        try {
            versions.addAll(List.of(Files.readString(root.resolve("version")).trim().split("\\s+")));
        } catch (IOException noGlobalVersion) {
            // pyenv's default: the system Python, found on PATH if at all
        }
        try (Stream<Path> installed = Files.list(root.resolve("versions"))) {
            installed.map(v -> v.getFileName().toString()).sorted().forEach(versions::add);
        } catch (IOException noVersions) {
            // not a pyenv root
        }
        return versions.stream()
                .filter(v -> !v.isBlank() && !v.equals("system"))
                .map(v -> root.resolve("versions").resolve(v).resolve("bin").resolve(NAME))
                .toList();
    }

    /**
     * Prints the path of moto_server; without one (or with a MOTO_SERVER that names none), prints one line on stderr, after the name of the
     * calling command if one is given ({@code java MotoServer.java bin/local}), and exits with status 1.
     */
    public static void main(String[] args) {
        String caller = args.length > 0 ? args[0] + ": " : "";
        try {
            Optional<Path> found = find(System.getenv());
            if (found.isEmpty()) {
                System.err.println(caller + MISSING);
                System.exit(1);
            }
            System.out.println(found.get());
        } catch (IllegalArgumentException badSetting) {
            System.err.println(caller + badSetting.getMessage());
            System.exit(1);
        }
    }
}
