package io.serverlesschat.connect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Turns the start-up priming PutItem ({@link ConnectionTable#prime}) into a harmless {@code GET /} on
 * the same endpoint, after marshalling and endpoint resolution and before signing: the SDK runs the
 * write's whole pipeline (marshaller, endpoint rules, credentials, signer, HTTP client) and opens the (TLS) connection it will reuse, but DynamoDB's API
 * never sees a write. Whatever the endpoint answers becomes an empty success. Requests without
 * {@link #PRIMING} pass untouched.
 */
final class PrimingInterceptor implements ExecutionInterceptor {

    // The SDK allows one attribute per name in a JVM; tests load this class once per Quarkus start.
    static final ExecutionAttribute<Boolean> PRIMING =
            new ExecutionAttribute<>("serverlesschat.priming@" + System.identityHashCode(PrimingInterceptor.class));

    private static final byte[] EMPTY_JSON = "{}".getBytes();

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        if (!priming(attributes)) {
            return context.httpRequest();
        }
        SdkHttpRequest.Builder get = context.httpRequest().toBuilder()
                .method(SdkHttpMethod.GET)
                .encodedPath("/")
                .removeHeader("X-Amz-Target")
                .removeHeader("Content-Type")
                .removeHeader("Content-Length");
        // The marshalled request carries the PutItem body itself; with it, HttpURLConnection would POST.
        if (get instanceof SdkHttpFullRequest.Builder full) {
            full.contentStreamProvider(null);
        }
        return get.build();
    }

    @Override
    public Optional<RequestBody> modifyHttpContent(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        return priming(attributes) ? Optional.empty() : context.requestBody();
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        return priming(attributes) ? SdkHttpResponse.builder().statusCode(200).build() : context.httpResponse();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
            ExecutionAttributes attributes) {
        if (!priming(attributes)) {
            return context.responseBody();
        }
        // Read the answer to its end so that the connection goes back to the keep-alive cache.
        context.responseBody().ifPresent(PrimingInterceptor::drain);
        return Optional.of(new ByteArrayInputStream(EMPTY_JSON));
    }

    private static boolean priming(ExecutionAttributes attributes) {
        return Boolean.TRUE.equals(attributes.getAttribute(PRIMING));
    }

    private static void drain(InputStream body) {
        try (body) {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
