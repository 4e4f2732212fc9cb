package io.serverlesschat.dev;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;
import io.serverlesschat.connect.Connection;
import io.serverlesschat.connect.ConnectionSettings;
import io.serverlesschat.localdev.LocalDynamoDb;
import io.serverlesschat.localdev.SetupFailure;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Dev mode's DynamoDB, in the spirit of Quarkus Dev Services but without containers: when nothing
 * answers at the dev endpoint (DYNAMODB_ENDPOINT, default http://localhost:5000) and it is on this
 * machine, start moto_server there as the tests do; when the table is missing, create it with its TTL and
 * its byUser index (a user's connections), as sam.native.yaml declares them.
 * One log line says what was done, or what to set when it could not.
 *
 * <p>
 * Dev mode only: {@code @IfBuildProfile("dev")} removes the bean from test and production builds, and
 * application.properties keeps this class (and src/localdev) out of function.zip and the native image
 * (FunctionZipIT checks). moto outlives live reloads (a reload finds it answering) and stops with dev mode.
 */
@Singleton
@IfBuildProfile("dev")
public class LocalDynamoDbDevService {

    private static final Logger LOG = Logger.getLogger(LocalDynamoDbDevService.class);

    void prepare(@Observes @Priority(1) StartupEvent started, ConnectionSettings settings,
            @ConfigProperty(name = "quarkus.dynamodb.endpoint-override") Optional<URI> endpoint) {
        if (endpoint.isEmpty()) {
            LOG.info("Dev DynamoDB: no DYNAMODB_ENDPOINT, so dev mode uses AWS's DynamoDB (your credentials and region)");
            return;
        }
        try {
            LOG.info("Dev DynamoDB: " + prepare(endpoint.get(), settings.tableName()));
        } catch (SetupFailure e) {
            // Dev mode keeps running: every event is answered 500 until DynamoDB is there.
            LOG.warn("Dev DynamoDB: " + e.getMessage());
        }
    }

    /**
     * Makes {@code endpoint} serve {@code table}, starting moto_server when nothing answers there.
     *
     * @return what was done, one line
     * @throws SetupFailure when it cannot be done, naming what to set
     */
    static String prepare(URI endpoint, String table) {
        String done;
        LocalDynamoDb.Answer answer = LocalDynamoDb.probe(endpoint);
        if (answer == LocalDynamoDb.Answer.DYNAMODB) {
            done = endpoint + " answers";
        } else if (answer == LocalDynamoDb.Answer.SOMETHING_ELSE) {
            throw new SetupFailure(endpoint + " answers, but not as DynamoDB (another program on that port?):"
                    + " set DYNAMODB_ENDPOINT to a free local port, e.g. http://localhost:5001");
        } else if (!LocalDynamoDb.isLoopback(endpoint) || endpoint.getPort() == -1) {
            throw new SetupFailure("nothing answers at " + endpoint + ": start DynamoDB there, or set DYNAMODB_ENDPOINT"
                    + " to a free local port (http://localhost:5000 by default) to have dev mode start moto_server there");
        } else {
            // The endpoint is on this machine and free: moto_server takes it, as the tests start theirs.
            ProcessHandle moto = LocalDynamoDb.startMoto(endpoint.getPort()).detach().toHandle();
            Runtime.getRuntime().addShutdownHook(new Thread(moto::destroy, "stop-dev-moto"));
            done = "nothing answered at " + endpoint + ", so moto_server was started there (it stops with dev mode)";
        }
        try (LocalDynamoDb dynamo = LocalDynamoDb.at(endpoint)) {
            if (dynamo.tableExists(table)) {
                return done + "; table " + table + " is there";
            }
            dynamo.createTable(table, Connection.CONNECTION_ID, Connection.EXPIRES_AT, List.of(LocalDynamoDb.BY_USER));
            return done + "; created table " + table + " (key " + Connection.CONNECTION_ID + ", TTL on " + Connection.EXPIRES_AT
                    + ", index " + LocalDynamoDb.BY_USER.name() + ")";
        }
    }
}
