package io.serverlesschat.connect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.core.exception.SdkClientException;
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
 * The two steps of the start-up priming ({@link ConnectionTable#prime}), for requests that carry
 * {@link #PRIMING}; every other request passes untouched.
 * <ul>
 * <li>{@link Step#PIPELINE}: the write runs its whole pipeline (marshaller, endpoint rules, credentials,
 * signer) and stops just before it would go out: work for the CPU only, with nothing to wait for.</li>
 * <li>{@link Step#CONNECTION}: the write goes out as a harmless {@code GET /} on the same endpoint, which
 * opens the (TLS) connection the first write reuses; whatever the endpoint answers becomes an empty
 * success. DynamoDB's API never sees a write.</li>
 * </ul>
 */
final class PrimingInterceptor implements ExecutionInterceptor {

    enum Step {
        PIPELINE,
        CONNECTION
    }

    /** Thrown where the {@link Step#PIPELINE} step stops; not an error. */
    static final class PipelineRun extends RuntimeException {
        PipelineRun() {
            super("the write's pipeline ran; nothing was sent", null, false, false);
        }
    }

    // The SDK allows one attribute per name in a JVM; tests load this class once per Quarkus start.
    static final ExecutionAttribute<Step> PRIMING =
            new ExecutionAttribute<>("serverlesschat.priming@" + System.identityHashCode(PrimingInterceptor.class));

    /** Set when the {@link Step#CONNECTION} step's answer arrived: DynamoDB answered, whatever came after. */
    static final ExecutionAttribute<AtomicBoolean> ANSWERED =
            new ExecutionAttribute<>("serverlesschat.priming.answered@" + System.identityHashCode(PrimingInterceptor.class));

    private static final byte[] EMPTY_JSON = "{}".getBytes();

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        if (!connecting(attributes)) {
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
        return connecting(attributes) ? Optional.empty() : context.requestBody();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (attributes.getAttribute(PRIMING) == Step.PIPELINE) {
            throw new PipelineRun();
        }
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (!connecting(attributes)) {
            return context.httpResponse();
        }
        attributes.getOptionalAttribute(ANSWERED).ifPresent(answered -> answered.set(true));
        return SdkHttpResponse.builder().statusCode(200).build();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
            ExecutionAttributes attributes) {
        if (!connecting(attributes)) {
            return context.responseBody();
        }
        // Read the answer to its end so that the connection goes back to the keep-alive cache.
        context.responseBody().ifPresent(PrimingInterceptor::drain);
        return Optional.of(new ByteArrayInputStream(EMPTY_JSON));
    }

    private static boolean connecting(ExecutionAttributes attributes) {
        return attributes.getAttribute(PRIMING) == Step.CONNECTION;
    }

    private static void drain(InputStream body) {
        try (body) {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // An SdkException, as the SDK's own failures: priming reports it and start-up goes on.
            throw SdkClientException.create("the answer could not be read: " + e.getMessage(), e);
        }
    }
}
