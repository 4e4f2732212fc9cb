package io.serverlesschat.runlocal;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * bin/token: prints a token of the local issuer that bin/local (with ConnectAuthorization=JWT and no
 * JwtIssuer) serves, for a user of the caller's choice ({@link TokenOptions}). It reads the key and the
 * issuer's URL that the running, or last, bin/local of this project wrote. The token goes to stdout and
 * nowhere else; a failure is one line on stderr and a non-zero status (2 for a bad option).
 */
public final class TokenCommand {

    private TokenCommand() {
    }

    public static void main(String[] args) {
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            System.out.println(TokenOptions.USAGE);
            return;
        }
        Path project = Path.of(System.getProperty("project.dir", ".")).toAbsolutePath().normalize();
        TokenOptions options;
        try {
            options = TokenOptions.parse(args);
        } catch (IllegalArgumentException e) {
            exit(2, e.getMessage() + " (bin/token --help)");
            return;
        }
        LocalIssuer issuer;
        try {
            issuer = LocalIssuer.lastServed(project);
        } catch (NoSuchFileException e) {
            exit(1, "no local issuer yet: start bin/local --parameter ConnectAuthorization=JWT (without JwtIssuer) first");
            return;
        } catch (IOException e) {
            exit(1, e.getMessage());
            return;
        }
        System.out.println(issuer.token(options.user(), options.name(), options.email(),
                options.audience() != null ? options.audience() : issuer.audience(), options.expires()));
    }

    private static void exit(int status, String message) {
        System.err.println("bin/token: " + message);
        System.exit(status);
    }
}
