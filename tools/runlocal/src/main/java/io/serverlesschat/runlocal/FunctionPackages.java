package io.serverlesschat.runlocal;

import io.serverlesschat.lambda.FunctionZip;
import io.serverlesschat.lambda.PackageBuild;
import io.serverlesschat.localdev.SetupFailure;
import io.serverlesschat.runlocal.LocalOptions.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The package each function runs, chosen from its CodeUri and unpacked where its execution environments
 * start it. The project's own target/function.zip is built (when stale) once for all functions.
 */
final class FunctionPackages {

    private final LocalOptions options;
    private final Consumer<String> log;
    private FunctionZip projectZip;

    FunctionPackages(LocalOptions options, Consumer<String> log) {
        this.options = options;
        this.log = log;
    }

    /** Where the package a function runs is unpacked (a zip of its own: a folder of its own), and its kind. */
    record TaskRoot(Path path, FunctionZip.Kind kind) {
    }

    TaskRoot taskRoot(SamTemplate.Function function) {
        Path project = options.project();
        FunctionZip zip = zipOf(function, project, options.mode());
        boolean ours = zip.path().equals(PackageBuild.function(project).zip());
        return new TaskRoot(zip.unpack(project.resolve("target/local/" + (ours ? "task" : "task-" + function.id()))), zip.kind());
    }

    /**
     * The package a function runs, from its CodeUri (relative to the template's folder): the project's
     * target/function.zip (also when CodeUri is not a literal) as {@link #functionZip} makes it, any other
     * zip as it is, JVM or native.
     */
    private FunctionZip zipOf(SamTemplate.Function function, Path project, Mode mode) {
        Path ours = PackageBuild.function(project).zip();
        Path zip = zipPath(function);
        if (zip.equals(ours)) {
            return projectZip != null ? projectZip : (projectZip = functionZip(project, mode));
        }
        if (!Files.isRegularFile(zip)) {
            throw new SetupFailure(function.id() + "'s CodeUri " + function.codeUri() + " is not a zip file next to the"
                    + " template: build that package first (bin/local runs .zip packages, a native bootstrap or a JVM build)");
        }
        try {
            return FunctionZip.open(zip);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new SetupFailure(function.id() + "'s CodeUri " + function.codeUri() + " is no Lambda package: " + e.getMessage());
        }
    }

    /** Its CodeUri, resolved as SAM resolves it: from the template's folder; not a literal: the project's zip. */
    private Path zipPath(SamTemplate.Function function) {
        Path ours = PackageBuild.function(options.project()).zip();
        return function.codeUri() == null ? ours
                : options.template().toAbsolutePath().getParent().resolve(function.codeUri()).normalize();
    }

    /**
     * The function dev mode runs: $connect's, when the template has that route and its package is this
     * project's zip (dev mode runs this project's code); null otherwise, and every function runs from its zip.
     */
    String devModeFunction(SamTemplate template) {
        boolean hasConnect = template.routes().stream().anyMatch(route -> route.routeKey().equals("$connect"));
        if (!hasConnect) {
            return null;
        }
        SamTemplate.Function connect = template.function("$connect");
        return zipPath(connect).equals(PackageBuild.function(options.project()).zip()) ? connect.id() : null;
    }

    /** target/function.zip: the JVM zip, rebuilt when stale, or the native zip as it is. */
    private FunctionZip functionZip(Path project, Mode mode) {
        PackageBuild build = PackageBuild.function(project);
        Path zip = build.zip();
        if (mode == Mode.NATIVE) {
            if (!Files.isRegularFile(zip) || FunctionZip.open(zip).kind() != FunctionZip.Kind.NATIVE) {
                throw new SetupFailure("--function native needs a native target/function.zip, and "
                        + (Files.isRegularFile(zip) ? "this one is a JVM build" : "there is none")
                        + ": build it with ./mvnw package -Pnative or docker/build.sh (docs/deploy.md)");
            }
        } else if (build.stale() || FunctionZip.open(zip).kind() != FunctionZip.Kind.JVM) {
            log.accept("building the JVM function.zip: " + build.describe());
            build.build();
        }
        return FunctionZip.open(zip);
    }
}
