package io.serverlesschat.connect;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules of CloudWatch's embedded metric format specification
 * (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html)
 * as a check: every rule a document breaks, in words. Besides the document's shape (what a JSON schema
 * says) it checks what a schema cannot: that every dimension and metric names a root member of the
 * right type.
 */
final class EmbeddedMetricFormat {

    /** The units the specification allows (CloudWatch's StandardUnit). */
    static final Set<String> UNITS = Set.of("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
            "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
            "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
            "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None");
    private static final Set<String> DIRECTIVE_MEMBERS = Set.of("Namespace", "Dimensions", "Metrics");
    private static final Set<String> DEFINITION_MEMBERS = Set.of("Name", "Unit", "StorageResolution");

    private EmbeddedMetricFormat() {
    }

    /** Every rule {@code root} breaks; empty for a valid document. */
    static List<String> violations(JsonNode root) {
        List<String> broken = new ArrayList<>();
        if (root == null || !root.isObject()) {
            broken.add("the root node is not a JSON object");
            return broken;
        }
        JsonNode aws = root.get("_aws");
        if (aws == null || !aws.isObject()) {
            broken.add("no _aws metadata object at the root");
            return broken;
        }
        JsonNode timestamp = aws.get("Timestamp");
        if (timestamp == null || !timestamp.isIntegralNumber() || timestamp.asLong() < 0) {
            broken.add("_aws.Timestamp is not a number of milliseconds since the epoch: " + timestamp);
        }
        JsonNode directives = aws.get("CloudWatchMetrics");
        if (directives == null || !directives.isArray() || directives.isEmpty()) {
            broken.add("_aws.CloudWatchMetrics is not an array of metric directives: " + directives);
            return broken;
        }
        for (int d = 0; d < directives.size(); d++) {
            directive(root, directives.get(d), "_aws.CloudWatchMetrics[" + d + "]", broken);
        }
        return broken;
    }

    private static void directive(JsonNode root, JsonNode directive, String at, List<String> broken) {
        if (!directive.isObject()) {
            broken.add(at + " is not an object");
            return;
        }
        directive.fieldNames().forEachRemaining(name -> {
            if (!DIRECTIVE_MEMBERS.contains(name)) {
                broken.add(at + " has a member the specification does not define: " + name);
            }
        });
        JsonNode namespace = directive.get("Namespace");
        if (namespace == null || !namespace.isTextual() || namespace.asText().isBlank() || namespace.asText().length() > 1024) {
            broken.add(at + ".Namespace is not a string of 1 to 1024 characters: " + namespace);
        }
        JsonNode dimensions = directive.get("Dimensions");
        if (dimensions == null || !dimensions.isArray()) {
            broken.add(at + ".Dimensions is not an array of dimension sets: " + dimensions);
        } else {
            for (int s = 0; s < dimensions.size(); s++) {
                JsonNode set = dimensions.get(s);
                String setAt = at + ".Dimensions[" + s + "]";
                if (!set.isArray() || set.size() > 30) {
                    broken.add(setAt + " is not an array of at most 30 dimension keys");
                    continue;
                }
                for (JsonNode key : set) {
                    JsonNode value = key.isTextual() ? root.get(key.asText()) : null;
                    if (value == null || !value.isTextual() || value.asText().isEmpty() || value.asText().length() > 1024) {
                        broken.add(setAt + ": dimension " + key + " names no root member whose value is a string of 1 to 1024"
                                + " characters: " + value);
                    }
                }
            }
        }
        JsonNode metrics = directive.get("Metrics");
        if (metrics == null || !metrics.isArray() || metrics.size() > 100) {
            broken.add(at + ".Metrics is not an array of at most 100 metric definitions: " + metrics);
            return;
        }
        Set<String> names = new HashSet<>();
        for (int m = 0; m < metrics.size(); m++) {
            definition(root, metrics.get(m), at + ".Metrics[" + m + "]", names, broken);
        }
    }

    private static void definition(JsonNode root, JsonNode definition, String at, Set<String> names, List<String> broken) {
        if (!definition.isObject()) {
            broken.add(at + " is not an object");
            return;
        }
        definition.fieldNames().forEachRemaining(name -> {
            if (!DEFINITION_MEMBERS.contains(name)) {
                broken.add(at + " has a member the specification does not define: " + name);
            }
        });
        JsonNode name = definition.get("Name");
        if (name == null || !name.isTextual() || name.asText().isEmpty() || name.asText().length() > 1024) {
            broken.add(at + ".Name is not a string of 1 to 1024 characters: " + name);
            return;
        }
        if (!names.add(name.asText())) {
            broken.add(at + ": metric " + name + " is defined twice in one directive");
        }
        JsonNode unit = definition.get("Unit");
        if (unit != null && !(unit.isTextual() && UNITS.contains(unit.asText()))) {
            broken.add(at + ".Unit is not one of CloudWatch's units: " + unit);
        }
        JsonNode resolution = definition.get("StorageResolution");
        if (resolution != null && !(resolution.isIntegralNumber() && (resolution.asInt() == 1 || resolution.asInt() == 60))) {
            broken.add(at + ".StorageResolution is neither 1 nor 60: " + resolution);
        }
        JsonNode value = root.get(name.asText());
        boolean numbers = value != null && (value.isNumber()
                || value.isArray() && !value.isEmpty() && value.size() <= 100 && allNumbers(value));
        if (!numbers) {
            broken.add(at + ": metric " + name + " names no root member whose value is a number or an array of at most 100"
                    + " numbers: " + value);
        }
    }

    private static boolean allNumbers(JsonNode array) {
        for (JsonNode v : array) {
            if (!v.isNumber()) {
                return false;
            }
        }
        return true;
    }
}
