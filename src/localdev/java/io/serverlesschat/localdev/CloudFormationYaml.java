package io.serverlesschat.localdev;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a CloudFormation/SAM template with its short tags as their long forms: {@code !Ref X} reads
 * as {Ref: X}, {@code !Sub s} as {Fn::Sub: s}, {@code !GetAtt R.A} as {Fn::GetAtt: [R, A]}.
 * Shared by the template test and the local gateway.
 */
public final class CloudFormationYaml {

    private static final List<String> FUNCTIONS = List.of("Ref", "Condition", "GetAtt", "Sub", "Join", "Select", "Split",
            "If", "Equals", "Not", "And", "Or", "FindInMap", "GetAZs", "ImportValue", "Base64", "Cidr", "Transform",
            "Length", "ToJsonString");

    private CloudFormationYaml() {
    }

    public static Map<String, Object> load(Path template) throws IOException {
        try (Reader in = Files.newBufferedReader(template)) {
            return new Yaml(new ShortTags()).load(in);
        }
    }

    private static final class ShortTags extends SafeConstructor {

        ShortTags() {
            super(new LoaderOptions());
            for (String function : FUNCTIONS) {
                String key = function.equals("Ref") || function.equals("Condition") ? function : "Fn::" + function;
                yamlConstructors.put(new Tag("!" + function), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        Object value;
                        if (node instanceof ScalarNode scalar) {
                            String text = constructScalar(scalar);
                            value = function.equals("GetAtt") ? List.of(text.split("\\.", 2)) : text;
                        } else if (node instanceof SequenceNode sequence) {
                            value = constructSequence(sequence);
                        } else {
                            value = constructMapping((MappingNode) node);
                        }
                        return Map.of(key, value);
                    }
                });
            }
        }
    }
}
