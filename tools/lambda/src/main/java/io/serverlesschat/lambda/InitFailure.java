package io.serverlesschat.lambda;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A function's init failed: {@code reason} is one line (the function's own message where it gave one). */
public final class InitFailure extends RuntimeException {

    private static final Pattern CAUSE = Pattern.compile("^\\s*Caused by: [\\w.$]+: (.+)$");
    private static final Pattern ERROR_MESSAGE = Pattern.compile("\"errorMessage\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String reason;

    public InitFailure(String reason) {
        super(reason);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    /**
     * One line that says why a function's init failed: the innermost cause its stack trace names (the
     * function's own message, e.g. a setting it refused), else the error it posted to the Runtime API,
     * else its last line of output.
     */
    public static String reasonFrom(List<String> output, String initError, int status) {
        String cause = null;
        for (String line : output) {
            Matcher m = CAUSE.matcher(line);
            if (m.matches()) {
                cause = m.group(1).strip();
            }
        }
        if (cause != null) {
            return cause;
        }
        if (initError != null) {
            Matcher m = ERROR_MESSAGE.matcher(initError);
            if (m.find()) {
                return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
            }
        }
        for (int i = output.size() - 1; i >= 0; i--) {
            if (!output.get(i).isBlank()) {
                return "its process exited with status " + status + " after: " + output.get(i).strip();
            }
        }
        return "its process exited with status " + status + " without output";
    }
}
