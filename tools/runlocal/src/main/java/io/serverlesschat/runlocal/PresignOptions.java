package io.serverlesschat.runlocal;

import io.serverlesschat.apigateway.SigV4Handshake;
import java.net.URI;
import java.time.Duration;

/** bin/presign's command line: what to presign, and for how long. */
record PresignOptions(URI url, Duration expires) {

    static final String USAGE = """
            usage: bin/presign [--expires SECONDS] [URL]
              URL                 bin/local's WebSocket API, query string included (default ws://localhost:3001/dev)
              --expires SECONDS   how long the URL connects (default 300, at most 604800)
            Prints the URL presigned with bin/local's credentials (access key local, secret local) for
            execute-api in %s, e.g.: npx wscat -c "$(bin/presign)"
            """;

    static final URI DEFAULT_URL = URI.create("ws://localhost:3001/dev");

    /** @throws IllegalArgumentException a usage error, said in one line */
    static PresignOptions parse(String... args) {
        URI url = DEFAULT_URL;
        long seconds = 300;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--expires")) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException("--expires needs a number of seconds");
                }
                try {
                    seconds = Long.parseLong(args[++i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--expires takes seconds, not " + args[i]);
                }
            } else if (args[i].startsWith("-")) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            } else {
                url = URI.create(args[i]);
            }
        }
        if (seconds < 1 || seconds > SigV4Handshake.MAX_EXPIRES_SECONDS) {
            throw new IllegalArgumentException("--expires must be 1 to " + SigV4Handshake.MAX_EXPIRES_SECONDS + " seconds (7 days), not " + seconds);
        }
        if (!("ws".equals(url.getScheme()) || "wss".equals(url.getScheme())) || url.getHost() == null) {
            throw new IllegalArgumentException("the URL must be ws:// or wss:// with a host, not " + url);
        }
        return new PresignOptions(url, Duration.ofSeconds(seconds));
    }
}
