package io.serverlesschat.runlocal;

import io.serverlesschat.apigateway.SigV4Handshake;
import io.serverlesschat.localdev.LocalDynamoDb;
import java.time.Clock;
import java.util.List;

/** bin/presign: prints a presigned URL of bin/local's gateway ({@link Presigner}); a usage error exits 2. */
public final class PresignCommand {

    private PresignCommand() {
    }

    public static void main(String[] args) {
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            System.out.printf(PresignOptions.USAGE, LocalDynamoDb.REGION);
            return;
        }
        PresignOptions options;
        try {
            options = PresignOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bin/presign: " + e.getMessage() + " (bin/presign --help)");
            System.exit(2);
            return;
        }
        System.out.println(Presigner.presign(options, SigV4Handshake.LOCAL, LocalDynamoDb.REGION, Clock.systemUTC()));
    }
}
