package io.serverlesschat.runlocal;

import io.serverlesschat.localdev.SetupFailure;
import java.util.List;

/** Ports bin/local needs are taken: its message names them; {@link Leftovers} may know by whom. */
final class PortsTaken extends SetupFailure {

    private final List<Integer> ports;
    private final String described;

    /**
     * @param ports     the taken ports
     * @param described "port 8000 (the local DynamoDB) is", "ports 8000 (...) and 8080 (...) are"
     */
    PortsTaken(String message, List<Integer> ports, String described) {
        super(message);
        this.ports = List.copyOf(ports);
        this.described = described;
    }

    List<Integer> ports() {
        return ports;
    }

    String described() {
        return described;
    }
}
