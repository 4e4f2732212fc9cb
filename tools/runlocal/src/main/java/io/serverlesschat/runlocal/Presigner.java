package io.serverlesschat.runlocal;

import io.serverlesschat.apigateway.SigV4Handshake;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * bin/presign: a WebSocket URL of bin/local's gateway, presigned with SigV4 (the AWS SDK's signer) as a
 * client of an API with ConnectAuthorization=AWS_IAM presigns it, for clients such as wscat that cannot
 * sign a handshake themselves. It signs with bin/local's credentials for its region.
 */
final class Presigner {

    static final String USAGE = """
            usage: bin/presign [--expires SECONDS] [URL]
              URL                 bin/local's WebSocket API, query string included (default ws://localhost:3001/dev)
              --expires SECONDS   how long the URL connects (default 300, at most 604800)
            Prints the URL presigned with bin/local's credentials (access key local, secret local) for
            execute-api in %s, e.g.: npx wscat -c "$(bin/presign)"
            """;

    /** What to presign, and for how long. */
    record Options(URI url, Duration expires) {

        static final URI DEFAULT_URL = URI.create("ws://localhost:3001/dev");

        /** @throws IllegalArgumentException a usage error, said in one line */
        static Options parse(String... args) {
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
            if (seconds < 1 || seconds > 604_800) {
                throw new IllegalArgumentException("--expires must be 1 to 604800 seconds (7 days), not " + seconds);
            }
            if (!("ws".equals(url.getScheme()) || "wss".equals(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException("the URL must be ws:// or wss:// with a host, not " + url);
            }
            return new Options(url, Duration.ofSeconds(seconds));
        }
    }

    private Presigner() {
    }

    /** {@code options.url()} with X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders and -Signature added. */
    static URI presign(Options options, SigV4Handshake.Credentials credentials, String region, Clock clock) {
        String ws = options.url().toString();
        // The signature covers the HTTP request the handshake is: the same host, path and query.
        URI http = URI.create((ws.startsWith("wss:") ? "https" : "http") + ws.substring(ws.indexOf(':')));
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey()))
                .request(SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(http).build())
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "execute-api")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, options.expires())
                .putProperty(HttpSigner.SIGNING_CLOCK, clock)).request();
        String presigned = signed.getUri().toString();
        return URI.create(options.url().getScheme() + presigned.substring(presigned.indexOf(':')));
    }
}
