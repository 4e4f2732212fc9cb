package io.serverlesschat.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuProfileTest {

    private static final String MAIN = "[main tid=11262];com/amazonaws/services/lambda/runtime/api/client/AWSLambda.main;";

    @Test
    void eachSampleCountsOnceInTheFirstPhaseItsStackMatches() {
        CpuProfile.Breakdown b = CpuProfile.read(List.of(
                "[C1 CompilerThre tid=11269];thread_native_entry;Compilation::compile_method 40",
                "[VM Thread tid=11265];VMThread::run 5",
                MAIN + "io/quarkus/amazon/lambda/runtime/AmazonLambdaRecorder.handle;io/serverlesschat/connect/ConnectionTable.put;"
                        + "software/amazon/awssdk/services/dynamodb/DynamoDbClient.putItem 7",
                MAIN + "io/quarkus/amazon/lambda/runtime/AmazonLambdaRecorder.handle;com/fasterxml/jackson/databind/ObjectReader.readValue 3",
                MAIN + "io/quarkus/runtime/Quarkus.manualStart;io/serverlesschat/connect/ConnectionTable.prime;"
                        + "software/amazon/awssdk/services/dynamodb/DynamoDbClient.putItem;java/lang/ClassLoader.loadClass 11",
                MAIN + "io/quarkus/runtime/Quarkus.manualStart;io/serverlesschat/connect/ConnectionTable.prime;"
                        + "software/amazon/awssdk/services/dynamodb/DynamoDbClient.putItem;sun/security/ssl/SSLSocketImpl.startHandshake;"
                        + "sun/security/ssl/X509TrustManagerImpl.checkServerTrusted 6",
                MAIN + "io/quarkus/runtime/Quarkus.manualStart;io/serverlesschat/connect/DynamoDbClientProducer.dynamoDbClient;"
                        + "software/amazon/awssdk/regions/internal/MetadataLoader.<clinit> 13",
                MAIN + "io/quarkus/runtime/Quarkus.manualStart;io/serverlesschat/connect/DynamoDbClientProducer.dynamoDbClient;"
                        + "software/amazon/awssdk/http/urlconnection/UrlConnectionHttpClient.getSslContext 9",
                MAIN + "io/quarkus/runtime/Quarkus.manualStart;io/serverlesschat/connect/DynamoDbClientProducer.dynamoDbClient 2",
                MAIN + "io/quarkus/runner/recorded/DynamoDbProcessor$createBuilders2102483779.deploy 4",
                MAIN + "io/quarkus/runner/ApplicationImpl.<clinit>;java/lang/Class.forName 20",
                MAIN + "io/quarkus/runner/ApplicationImpl.doStart;io/quarkus/runtime/generated/Config.readConfig;"
                        + "io/smallrye/config/SmallRyeConfig.<init> 8",
                MAIN + "io/quarkus/runner/ApplicationImpl.<clinit>;io/quarkus/runtime/generated/Config.<clinit>;"
                        + "io/smallrye/config/SmallRyeConfigBuilder.build 5",
                MAIN + "java/lang/ClassLoader.loadClass 6",
                "[SIGTERM handler tid=1];java/lang/Shutdown.exit 1"));

        assertEquals(40, b.phases().get("JIT compiler threads"));
        assertEquals(5, b.phases().get("GC and VM threads"));
        assertEquals(1, b.phases().get("other threads (the stop after the answer among them)"));
        assertEquals(7, b.phases().get("first invocation: PutItem"));
        assertEquals(3, b.phases().get("first invocation: the rest (event JSON, handler, answer)"));
        assertEquals(6, b.phases().get("TLS handshake (the connection to DynamoDB)"), "taken out of priming's");
        assertEquals(11, b.phases().get("init: priming the first write (pipeline, connection)"));
        assertEquals(13, b.phases().get("init: SDK client: metadata of every AWS service"));
        assertEquals(9, b.phases().get("init: SDK client: TLS context (trust store)"));
        assertEquals(2, b.phases().get("init: SDK client: the rest of its build"));
        assertEquals(4, b.phases().get("init: the DynamoDB extension's start-up steps"));
        assertEquals(20 + 8 + 5, b.phases().get("init: Quarkus boot (config, CDI, logging, Jackson, handler)"));
        assertEquals(6, b.phases().get("init: JVM start and AWS's runtime client"));
        assertEquals(140, b.total());
        assertEquals(b.total(), b.phases().values().stream().mapToDouble(Double::doubleValue).sum(), "the phases add up");
        assertEquals(11 + 20 + 6, b.classLoading());
        assertEquals(8, b.runtimeConfig());
        assertEquals(5, b.staticInitConfig());
    }

    @Test
    void theReportGivesEachVariantsMedianPhasesAndTheirShares() {
        CpuProfile.Breakdown one = CpuProfile.read(List.of(MAIN + "java/lang/Thread.run 10"));
        CpuProfile.Breakdown two = CpuProfile.read(List.of(MAIN + "java/lang/Thread.run 30"));
        CpuProfile.Breakdown three = CpuProfile.read(List.of(MAIN + "java/lang/Thread.run 20"));
        String md = CpuProfile.markdown(java.util.Map.of("connect/jvm@17/256MB", List.of(one, two, three)));
        assertTrue(md.contains("## connect/jvm@17/256MB (3 runs)"), md);
        assertTrue(md.contains("| init: JVM start and AWS's runtime client | 20 | 100.0 % |"), md);
    }

    @Test
    void theAgentWritesCollapsedStacksOfEveryThreadEachMillisecond() {
        assertEquals("-agentpath:/x/libasyncProfiler.so=start,event=cpu,interval=1000000ns,threads,collapsed,file=/o/p.collapsed",
                CpuProfile.agentOption(java.nio.file.Path.of("/x/libasyncProfiler.so"), java.nio.file.Path.of("/o/p.collapsed")));
    }
}
