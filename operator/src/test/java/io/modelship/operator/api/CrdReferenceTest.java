package io.modelship.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * docs/crd-reference.md is written from the committed CRD, so every field, constraint and admission
 * rule it lists is the one the API server enforces. Refresh with {@code -Dcrds.update=true}.
 */
class CrdReferenceTest {
  static final Path DOC = Path.of("../docs/crd-reference.md");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static String reference() throws Exception {
    return reference(
            CommittedCrdTest.COMMITTED, CommittedCrdTest.FILE, "ModelDeployment", "md", "#")
        + "\n"
        + reference(
            CommittedCrdTest.BATCH_COMMITTED,
            CommittedCrdTest.BATCH_FILE,
            "ModelBatchJob",
            "mbj",
            "##");
  }

  /**
   * The reference of one CRD; {@code h} is its title's heading level (the second CRD's sections sit
   * one level below its title).
   */
  static String reference(Path committed, String file, String kind, String shortName, String h)
      throws Exception {
    String sub = h.equals("#") ? "##" : "###";
    JsonNode crd = YAML.readTree(committed.toFile());
    JsonNode version = crd.path("spec").path("versions").get(0);
    JsonNode schema = version.path("schema").path("openAPIV3Schema");
    StringBuilder b = new StringBuilder();
    b.append(h + " " + kind + " reference\n\n")
        .append("<!-- Generated from crds/")
        .append(file)
        .append(
            " by CrdReferenceTest; refresh with ./mvnw test -pl operator -Dcrds.update=true -->\n\n")
        .append("`apiVersion: modelship.io/")
        .append(version.path("name").asText())
        .append(
            "`, `kind: "
                + kind
                + "`, short name `"
                + shortName
                + "`, namespaced, with a status subresource.\n\n")
        .append("Every constraint below is enforced by the API server when the resource is applied")
        .append(
            " (OpenAPI schema and CEL rules): a spec that breaks one is refused by `kubectl apply`")
        .append(" with the message shown, and nothing is half-applied.\n\n")
        .append(sub + " Rules on the whole resource\n\n");
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      b.append("- ")
          .append(rule.path("message").asText())
          .append(" — `")
          .append(rule.path("rule").asText())
          .append("`\n");
    }
    b.append(
        "\n" + sub + " spec\n\n| field | type | constraints | description |\n|---|---|---|---|\n");
    rules(b, "spec", schema.path("properties").path("spec"));
    walk(b, "spec", schema.path("properties").path("spec"), true);
    b.append(
        "\n"
            + sub
            + " status\n\nWritten by the operator only.\n\n| field | type | constraints | description |\n|---|---|---|---|\n");
    walk(b, "status", schema.path("properties").path("status"), false);
    b.append("\n" + sub + " Printer columns\n\n| column | from |\n|---|---|\n");
    for (JsonNode c : version.path("additionalPrinterColumns")) {
      b.append("| ")
          .append(c.path("name").asText().toUpperCase())
          .append(" | `")
          .append(c.path("jsonPath").asText())
          .append("` |\n");
    }
    return b.toString();
  }

  private static void walk(StringBuilder b, String path, JsonNode node, boolean spec) {
    Set<String> required = new HashSet<>();
    node.path("required").forEach(r -> required.add(r.asText()));
    JsonNode props = node.path("properties");
    String base = path;
    if (node.has("items") && node.path("items").has("properties")) {
      base = path + "[]";
      props = node.path("items").path("properties");
      node.path("items").path("required").forEach(r -> required.add(r.asText()));
      rules(b, path + "[]", node.path("items"));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String p = base + "." + e.getKey();
      JsonNode f = e.getValue();
      if (p.startsWith("spec.runtime.resources.")) {
        continue; // the standard Kubernetes ResourceRequirements
      }
      List<String> c = new ArrayList<>();
      if (required.contains(e.getKey())) c.add("required");
      if (f.has("enum")) {
        List<String> values = new ArrayList<>();
        f.path("enum").forEach(v -> values.add(v.asText()));
        c.add("one of " + String.join(", ", values));
      }
      if (f.has("minimum")) c.add("≥ " + num(f.path("minimum")));
      if (f.has("maximum")) c.add("≤ " + num(f.path("maximum")));
      if (f.has("minLength")) c.add("length ≥ " + f.path("minLength").asText());
      if (f.has("maxLength")) c.add("length ≤ " + f.path("maxLength").asText());
      if (f.has("minItems")) c.add("items ≥ " + f.path("minItems").asText());
      if (f.has("maxItems")) c.add("items ≤ " + f.path("maxItems").asText());
      if (f.path("items").has("maxLength"))
        c.add("each length ≤ " + f.path("items").path("maxLength").asText());
      if (f.path("additionalProperties").has("maxLength"))
        c.add("each value length ≤ " + f.path("additionalProperties").path("maxLength").asText());
      if (f.has("pattern"))
        c.add("matches `" + f.path("pattern").asText().replace("|", "\\|") + "`");
      for (JsonNode r : f.path("x-kubernetes-validations"))
        c.add(r.path("message").asText().replace("|", "\\|"));
      String type =
          f.path("x-kubernetes-int-or-string").asBoolean()
              ? "int or string"
              : f.path("type")
                  .asText(f.path("x-kubernetes-preserve-unknown-fields").asBoolean() ? "any" : "");
      if ("array".equals(type)) type = "list of " + f.path("items").path("type").asText("object");
      b.append("| `")
          .append(p)
          .append("` | ")
          .append(type)
          .append(" | ")
          .append(String.join("; ", c))
          .append(" | ")
          .append(f.path("description").asText("").replace("\n", " ").replace("|", "\\|"))
          .append(" |\n");
      if (f.has("properties") || f.path("items").has("properties")) {
        walk(b, p, f, spec);
      }
    }
  }

  private static void rules(StringBuilder b, String path, JsonNode node) {
    for (JsonNode r : node.path("x-kubernetes-validations")) {
      b.append("| `")
          .append(path)
          .append("` | | ")
          .append(r.path("message").asText().replace("|", "\\|"))
          .append(" | |\n");
    }
  }

  private static String num(JsonNode n) {
    double d = n.asDouble();
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  @Test
  void referenceDocMatchesTheCrd() throws Exception {
    String expected = reference();
    if (Boolean.getBoolean("crds.update")) {
      Files.writeString(DOC, expected);
    }
    assertThat(Files.readString(DOC))
        .as("docs/crd-reference.md is stale: run with -Dcrds.update=true")
        .isEqualTo(expected);
  }
}
