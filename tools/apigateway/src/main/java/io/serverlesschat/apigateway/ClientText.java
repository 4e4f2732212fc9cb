package io.serverlesschat.apigateway;

/** Text a client sent, as the gateway's log shows it: no control characters (a forged line), and not too long. */
final class ClientText {

    private ClientText() {
    }

    /** {@code text} with control characters as '?', cut after {@code max} characters. */
    static String shown(String text, int max) {
        String printable = text.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() <= max ? printable : printable.substring(0, max) + "...";
    }
}
