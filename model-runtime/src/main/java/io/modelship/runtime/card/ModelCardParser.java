package io.modelship.runtime.card;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.modelship.runtime.Messages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates model cards. Every problem is reported at once, each naming its field, so a
 * user fixes a card in one pass.
 */
public final class ModelCardParser {

  /** Names end up in URL paths and Kubernetes object names. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?");

  private static final Set<String> TOP_LEVEL =
      Set.of("name", "version", "format", "description", "inputs", "outputs", "uri", "sha256");
  private static final Set<String> INPUT_FIELDS =
      Set.of("name", "type", "min", "max", "required", "default", "description", "transform");
  private static final Set<String> TRANSFORMS = Set.of("standardize", "minMax", "oneHot");
  private static final Set<String> OUTPUT_FIELDS = Set.of("labels");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ModelCardParser() {}

  /** Reads a card file; the message of any failure names the file. */
  public static ModelCard read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new CardException(file + ": model card not found");
    } catch (IOException e) {
      throw new CardException(file + ": cannot read model card: " + e.getMessage(), e);
    }
    return parse(text, file.toString());
  }

  /**
   * Parses card YAML.
   *
   * @param source where the text came from, for messages
   */
  public static ModelCard parse(String text, String source) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      String where = Messages.where(e);
      throw new CardException(source + ": not valid YAML" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CardException(source + ": cannot parse: " + e.getMessage(), e);
    }
    List<String> problems = new ArrayList<>();
    ModelCard card = toCard(root, problems);
    if (!problems.isEmpty()) {
      throw new CardException(
          source + ": invalid model card:\n  - " + String.join("\n  - ", problems));
    }
    return card;
  }

  private static ModelCard toCard(JsonNode root, List<String> problems) {
    if (root == null || !root.isObject()) {
      problems.add("the card must be a YAML mapping with at least 'name'");
      return null;
    }
    unknownFields(root, TOP_LEVEL, "", problems);

    String name = text(root, "name", "name", problems);
    if (name == null) {
      problems.add("name: required");
    } else if (!NAME.matcher(name).matches()) {
      problems.add(
          "name: must be 1-63 lower-case letters, digits, '.', '_' or '-', starting and ending"
              + " with a letter or digit (got \""
              + name
              + "\")");
    }
    JsonNode versionNode = root.get("version");
    String version = "1";
    if (versionNode != null && !versionNode.isNull()) {
      if (versionNode.isTextual() || versionNode.isNumber()) {
        version = versionNode.asText();
      } else {
        problems.add("version: must be a string such as \"2\"");
      }
    }
    String format = text(root, "format", "format", problems);
    if (format != null && !format.equals("onnx")) {
      problems.add("format: must be onnx (got \"" + format + "\")");
    }
    String description = text(root, "description", "description", problems);

    List<FeatureSpec> inputs = new ArrayList<>();
    JsonNode inputsNode = root.get("inputs");
    if (inputsNode != null && !inputsNode.isNull()) {
      if (!inputsNode.isArray()) {
        problems.add("inputs: must be a list of features");
      } else {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < inputsNode.size(); i++) {
          FeatureSpec f = toFeature(inputsNode.get(i), "inputs[" + i + "]", problems);
          if (f != null && !seen.add(f.name())) {
            problems.add("inputs[" + i + "].name: duplicate feature name \"" + f.name() + "\"");
          }
          if (f != null) {
            inputs.add(f);
          }
        }
      }
    }

    List<String> labels = new ArrayList<>();
    JsonNode outputs = root.get("outputs");
    if (outputs != null && !outputs.isNull()) {
      if (!outputs.isObject()) {
        problems.add("outputs: must be a mapping such as {labels: [a, b]}");
      } else {
        unknownFields(outputs, OUTPUT_FIELDS, "outputs.", problems);
        JsonNode labelsNode = outputs.get("labels");
        if (labelsNode != null && !labelsNode.isNull()) {
          if (!labelsNode.isArray()) {
            problems.add("outputs.labels: must be a list of strings");
          } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < labelsNode.size(); i++) {
              JsonNode l = labelsNode.get(i);
              if (!l.isTextual() && !l.isNumber() && !l.isBoolean()) {
                problems.add("outputs.labels[" + i + "]: must be a string");
              } else if (!seen.add(l.asText())) {
                problems.add("outputs.labels[" + i + "]: duplicate label \"" + l.asText() + "\"");
              } else {
                labels.add(l.asText());
              }
            }
          }
        }
      }
    }
    return new ModelCard(name, version, "onnx", description, inputs, labels, false);
  }

  private static FeatureSpec toFeature(JsonNode node, String path, List<String> problems) {
    if (node == null || !node.isObject()) {
      problems.add(path + ": must be a mapping such as {name: x, type: float}");
      return null;
    }
    unknownFields(node, INPUT_FIELDS, path + ".", problems);
    String name = text(node, "name", path + ".name", problems);
    if (name == null || name.isBlank()) {
      problems.add(path + ".name: required");
      return null;
    }
    FeatureType type = FeatureType.FLOAT;
    String typeText = text(node, "type", path + ".type", problems);
    if (typeText != null) {
      type = FeatureType.parse(typeText);
      if (type == null) {
        problems.add(
            path
                + ".type: must be one of "
                + FeatureType.allowed()
                + " (got \""
                + typeText
                + "\")");
        return null;
      }
    }
    Double min = number(node, "min", path + ".min", problems);
    Double max = number(node, "max", path + ".max", problems);
    if ((min != null || max != null) && !type.isNumeric()) {
      problems.add(
          path + ": min/max only apply to numeric types (type is " + type.yamlName() + ")");
    }
    if (min != null && max != null && min > max) {
      problems.add(path + ": min (" + min + ") must not be greater than max (" + max + ")");
    }
    boolean required = true;
    JsonNode req = node.get("required");
    if (req != null && !req.isNull()) {
      if (!req.isBoolean()) {
        problems.add(path + ".required: must be true or false");
      } else {
        required = req.booleanValue();
      }
    }
    Object defaultValue = defaultValue(node.get("default"), type, min, max, path, problems);
    Transform transform = transform(node.get("transform"), type, path + ".transform", problems);
    if (transform instanceof Transform.OneHot o
        && defaultValue instanceof String s
        && !o.ignoreUnknown()
        && o.indexOf(s) < 0) {
      problems.add(
          path + ".default: \"" + s + "\" is not one of the oneHot categories " + o.categories());
    }
    if (!required && defaultValue == null) {
      problems.add(path + ".default: an optional feature needs a default value for the model");
    }
    if (required && defaultValue != null) {
      problems.add(path + ".default: only optional features (required: false) take a default");
    }
    return new FeatureSpec(name, type, min, max, required, defaultValue, transform);
  }

  /**
   * {@code {standardize: {mean, std}}}, {@code {minMax: {min, max}}} or {@code {oneHot:
   * {categories, unknown}}}: exactly one, fitting the feature's type.
   */
  private static Transform transform(
      JsonNode node, FeatureType type, String path, List<String> problems) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject() || node.size() != 1) {
      problems.add(
          path
              + ": must be a mapping with exactly one of "
              + String.join(", ", sorted(TRANSFORMS))
              + ", such as {standardize: {mean: 5.8, std: 0.8}}");
      return null;
    }
    String kind = node.fieldNames().next();
    JsonNode body = node.get(kind);
    String at = path + "." + kind;
    if (!TRANSFORMS.contains(kind)) {
      problems.add(
          at + ": unknown transform (known: " + String.join(", ", sorted(TRANSFORMS)) + ")");
      return null;
    }
    if (body == null || !body.isObject()) {
      problems.add(at + ": must be a mapping");
      return null;
    }
    switch (kind) {
      case "standardize" -> {
        unknownFields(body, Set.of("mean", "std"), at + ".", problems);
        Double mean = number(body, "mean", at + ".mean", problems);
        Double std = number(body, "std", at + ".std", problems);
        boolean ok = numericFeature(type, at, problems);
        if (mean == null && !body.has("mean")) {
          problems.add(at + ".mean: required");
        }
        if (std == null && !body.has("std")) {
          problems.add(at + ".std: required");
        } else if (std != null && std <= 0) {
          problems.add(at + ".std: must be greater than 0 (got " + std + ")");
          ok = false;
        }
        return ok && mean != null && std != null ? new Transform.Standardize(mean, std) : null;
      }
      case "minMax" -> {
        unknownFields(body, Set.of("min", "max"), at + ".", problems);
        Double lo = number(body, "min", at + ".min", problems);
        Double hi = number(body, "max", at + ".max", problems);
        boolean ok = numericFeature(type, at, problems);
        if (lo == null && !body.has("min")) {
          problems.add(at + ".min: required");
        }
        if (hi == null && !body.has("max")) {
          problems.add(at + ".max: required");
        }
        if (lo != null && hi != null && lo >= hi) {
          problems.add(at + ": min (" + lo + ") must be less than max (" + hi + ")");
          ok = false;
        }
        return ok && lo != null && hi != null ? new Transform.MinMax(lo, hi) : null;
      }
      default -> {
        unknownFields(body, Set.of("categories", "unknown"), at + ".", problems);
        boolean ok = true;
        if (type != FeatureType.STRING) {
          problems.add(at + ": only applies to string features (type is " + type.yamlName() + ")");
          ok = false;
        }
        JsonNode cats = body.get("categories");
        List<String> categories = new ArrayList<>();
        if (cats == null || !cats.isArray() || cats.isEmpty()) {
          problems.add(at + ".categories: required: a non-empty list of strings");
          ok = false;
        } else {
          Set<String> seen = new HashSet<>();
          for (int i = 0; i < cats.size(); i++) {
            JsonNode c = cats.get(i);
            if (!c.isTextual()) {
              problems.add(at + ".categories[" + i + "]: must be a string (got " + c + ")");
              ok = false;
            } else if (!seen.add(c.textValue())) {
              problems.add(
                  at + ".categories[" + i + "]: duplicate category \"" + c.textValue() + "\"");
              ok = false;
            } else {
              categories.add(c.textValue());
            }
          }
        }
        boolean ignore = false;
        JsonNode unknown = body.get("unknown");
        if (unknown != null && !unknown.isNull()) {
          if (unknown.isTextual() && unknown.textValue().equals("ignore")) {
            ignore = true;
          } else if (!unknown.isTextual() || !unknown.textValue().equals("error")) {
            problems.add(
                at + ".unknown: must be error (the default) or ignore (got " + unknown + ")");
            ok = false;
          }
        }
        return ok ? Transform.OneHot.of(categories, ignore) : null;
      }
    }
  }

  private static boolean numericFeature(FeatureType type, String at, List<String> problems) {
    if (!type.isNumeric()) {
      problems.add(at + ": only applies to numeric features (type is " + type.yamlName() + ")");
      return false;
    }
    return true;
  }

  private static Object defaultValue(
      JsonNode d, FeatureType type, Double min, Double max, String path, List<String> problems) {
    if (d == null || d.isNull()) {
      return null;
    }
    String field = path + ".default";
    switch (type) {
      case BOOLEAN -> {
        if (!d.isBoolean()) {
          problems.add(field + ": must be true or false");
          return null;
        }
        return d.booleanValue();
      }
      case STRING -> {
        if (!d.isTextual()) {
          problems.add(field + ": must be a string");
          return null;
        }
        return d.textValue();
      }
      default -> {
        if (!d.isNumber() || (type == FeatureType.INTEGER && !d.isIntegralNumber())) {
          problems.add(
              field + ": must be " + (type == FeatureType.INTEGER ? "an integer" : "a number"));
          return null;
        }
        double v = d.doubleValue();
        if ((min != null && v < min) || (max != null && v > max)) {
          problems.add(field + ": " + v + " lies outside [min, max]");
        }
        return v;
      }
    }
  }

  private static void unknownFields(
      JsonNode node, Set<String> known, String prefix, List<String> problems) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        problems.add(
            prefix + f + ": unknown field (known: " + String.join(", ", sorted(known)) + ")");
      }
    }
  }

  private static List<String> sorted(Set<String> set) {
    List<String> l = new ArrayList<>(set);
    l.sort(null);
    return l;
  }

  private static String text(JsonNode node, String field, String path, List<String> problems) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      problems.add(path + ": must be a string");
      return null;
    }
    return v.textValue();
  }

  private static Double number(JsonNode node, String field, String path, List<String> problems) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
      problems.add(path + ": must be a finite number");
      return null;
    }
    return v.doubleValue();
  }
}
