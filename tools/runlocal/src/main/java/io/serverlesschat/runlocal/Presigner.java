package io.serverlesschat.runlocal;

import io.serverlesschat.apigateway.SigV4Handshake;
import java.net.URI;
import java.time.Clock;
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

    private Presigner() {
    }

    /** {@code options.url()} with X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders and -Signature added. */
    static URI presign(PresignOptions options, SigV4Handshake.Credentials credentials, String region, Clock clock) {
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
