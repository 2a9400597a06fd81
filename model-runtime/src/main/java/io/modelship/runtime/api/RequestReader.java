package io.modelship.runtime.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.modelship.runtime.Messages;
import io.modelship.runtime.card.FeatureSpec;
import io.modelship.runtime.card.FeatureType;
import io.modelship.runtime.card.Transform;
import io.modelship.runtime.model.Datatype;
import io.modelship.runtime.model.FeatureBatch;
import io.modelship.runtime.model.ModelSignature;
import io.modelship.runtime.model.Tensor;
import io.modelship.runtime.model.TensorSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns request bodies of the three prediction APIs into validated model inputs. Everything a
 * client can get wrong ends as an {@link ApiException} naming the field: 400 when the body is not
 * the protocol's JSON, 422 when it is but breaks the model's declared contract.
 */
public final class RequestReader {

  /** Real requests nest three levels at most; anything deeper is a mistake or an attack. */
  public static final int MAX_DEPTH = 32;

  private final JsonMapper json;
  private final ModelSignature signature;
  private final List<FeatureSpec> features;
  private final Map<String, Integer> featureIndex = new HashMap<>();
  private final String featureList;

  public RequestReader(ModelSignature signature, long maxBodyBytes) {
    this.signature = signature;
    this.features = signature.card().inputs();
    for (int i = 0; i < features.size(); i++) {
      featureIndex.put(features.get(i).name(), i);
    }
    this.featureList = String.join(", ", features.stream().map(FeatureSpec::name).toList());
    int maxString = (int) Math.min(Integer.MAX_VALUE, Math.max(1024, maxBodyBytes));
    this.json =
        JsonMapper.builder()
            // NaN and Infinity are read so that the answer can name the field they were sent in.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    json.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxStringLength(maxString)
                .maxNumberLength(100)
                .build());
  }

  /** Parses a body into a JSON tree, or refuses it with a 400 that says where it broke. */
  public JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw new ApiException(400, "request body is empty: send a JSON document");
    }
    try {
      JsonNode node = json.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw new ApiException(400, "request body is empty: send a JSON document");
      }
      return node;
    } catch (StreamConstraintsException e) {
      throw new ApiException(
          400, "request JSON is too deep or too large: " + e.getOriginalMessage());
    } catch (JacksonException e) {
      String where = Messages.where(e);
      throw new ApiException(
          400, "malformed JSON" + where + ": " + Messages.firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ApiException(400, "cannot read request body: " + e.getMessage());
    }
  }

  /** The readable form: one object of named features, or an array of them. */
  public FeatureBatch readable(JsonNode root) {
    if (root.isObject()) {
      return batch(List.of(root), "");
    }
    if (root.isArray()) {
      if (root.isEmpty()) {
        throw ApiException.field(422, "[]", "empty batch: send at least one row");
      }
      List<JsonNode> rows = new ArrayList<>(root.size());
      root.forEach(rows::add);
      return batch(rows, "[%d]");
    }
    throw new ApiException(
        400,
        "body must be a JSON object of features ({\""
            + firstFeature()
            + "\": ...}) or an array of them");
  }

  /** KServe v1: {@code {"instances": [...]}}, each instance an object or a positional array. */
  public FeatureBatch kserveV1(JsonNode root) {
    if (!root.isObject()) {
      throw new ApiException(400, "body must be a JSON object with \"instances\"");
    }
    JsonNode instances = root.get("instances");
    if (instances == null || instances.isNull()) {
      throw ApiException.field(400, "instances", "required: a list of rows");
    }
    if (!instances.isArray()) {
      throw ApiException.field(400, "instances", "must be a list of rows");
    }
    if (instances.isEmpty()) {
      throw ApiException.field(422, "instances", "empty: send at least one row");
    }
    List<JsonNode> rows = new ArrayList<>(instances.size());
    instances.forEach(rows::add);
    return batch(rows, "instances[%d]");
  }

  private String firstFeature() {
    return features.isEmpty() ? "feature" : features.get(0).name();
  }

  private FeatureBatch batch(List<JsonNode> rows, String rowPath) {
    int n = rows.size();
    Object[] columns = new Object[features.size()];
    for (int j = 0; j < columns.length; j++) {
      columns[j] =
          switch (features.get(j).type()) {
            case BOOLEAN -> new boolean[n];
            case STRING -> new String[n];
            default -> new double[n];
          };
    }
    Violations v = new Violations();
    for (int r = 0; r < n; r++) {
      String prefix = rowPath.isEmpty() ? "" : String.format(rowPath, r);
      JsonNode row = rows.get(r);
      if (row.isObject()) {
        namedRow(row, r, columns, prefix, v);
      } else if (row.isArray() && !rowPath.isEmpty() && rowPath.startsWith("instances")) {
        positionalRow(row, r, columns, prefix, v);
      } else {
        v.add(
            prefix.isEmpty() ? "body" : prefix,
            "must be an object of features"
                + (rowPath.startsWith("instances")
                    ? " or a list of " + features.size() + " values"
                    : "")
                + " (got "
                + kind(row)
                + ")");
      }
    }
    v.throwIfAny();
    return new FeatureBatch(n, columns);
  }

  private void namedRow(JsonNode row, int r, Object[] columns, String prefix, Violations v) {
    String dot = prefix.isEmpty() ? "" : prefix + ".";
    for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!featureIndex.containsKey(name)) {
        v.add(dot + name, "unknown feature (this model takes: " + featureList + ")");
      }
    }
    for (int j = 0; j < features.size(); j++) {
      FeatureSpec f = features.get(j);
      value(f, row.get(f.name()), columns[j], r, dot + f.name(), v);
    }
  }

  private void positionalRow(JsonNode row, int r, Object[] columns, String prefix, Violations v) {
    if (row.size() != features.size()) {
      v.add(
          prefix,
          "has "
              + row.size()
              + " values; this model takes "
              + features.size()
              + " ("
              + featureList
              + ")");
      return;
    }
    for (int j = 0; j < features.size(); j++) {
      value(features.get(j), row.get(j), columns[j], r, prefix + "[" + j + "]", v);
    }
  }

  /** Checks one feature value and stores it in its column. */
  private static void value(
      FeatureSpec f, JsonNode node, Object column, int r, String field, Violations v) {
    if (node == null || node.isNull()) {
      if (f.required()) {
        v.add(field, "required " + f.type().yamlName() + " feature is missing");
      } else {
        store(f, f.defaultValue(), column, r);
      }
      return;
    }
    switch (f.type()) {
      case BOOLEAN -> {
        if (!node.isBoolean()) {
          v.add(field, "must be true or false (got " + kind(node) + ")");
        } else {
          ((boolean[]) column)[r] = node.booleanValue();
        }
      }
      case STRING -> {
        if (!node.isTextual()) {
          v.add(field, "must be a string (got " + kind(node) + ")");
        } else {
          String problem = categoryProblem(f, node.textValue());
          if (problem != null) {
            v.add(field, problem);
          } else {
            ((String[]) column)[r] = node.textValue();
          }
        }
      }
      default -> {
        String problem = numberProblem(f, node);
        if (problem != null) {
          v.add(field, problem);
        } else {
          ((double[]) column)[r] = node.doubleValue();
        }
      }
    }
  }

  private static void store(FeatureSpec f, Object value, Object column, int r) {
    switch (f.type()) {
      case BOOLEAN -> ((boolean[]) column)[r] = (Boolean) value;
      case STRING -> ((String[]) column)[r] = (String) value;
      default -> ((double[]) column)[r] = (Double) value;
    }
  }

  /** Why a string is not acceptable for a one-hot feature, or {@code null} when it is. */
  static String categoryProblem(FeatureSpec f, String value) {
    Transform.OneHot o = f.oneHot();
    if (o == null || o.ignoreUnknown() || o.indexOf(value) >= 0) {
      return null;
    }
    String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
    return "unknown category \""
        + shown
        + "\" (this model knows: "
        + String.join(", ", o.categories())
        + ")";
  }

  /** Why a JSON value is not acceptable for a numeric feature, or {@code null} when it is. */
  static String numberProblem(FeatureSpec f, JsonNode node) {
    if (!node.isNumber()) {
      return "must be "
          + (f.type() == FeatureType.INTEGER ? "an integer" : "a number")
          + " (got "
          + kind(node)
          + ")";
    }
    double d = node.doubleValue();
    if (!Double.isFinite(d)) {
      return "must be a finite number (got " + node.asText() + ")";
    }
    if (f.type() == FeatureType.INTEGER && (!node.isIntegralNumber() && d != Math.rint(d))) {
      return "must be an integer (got " + node.asText() + ")";
    }
    return boundsProblem(f, d, node.asText());
  }

  static String boundsProblem(FeatureSpec f, double d, String shown) {
    if (f.min() != null && d < f.min()) {
      return "must be at least " + num(f.min()) + " (got " + shown + ")";
    }
    if (f.max() != null && d > f.max()) {
      return "must be at most " + num(f.max()) + " (got " + shown + ")";
    }
    return null;
  }

  private static String num(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  static String kind(JsonNode n) {
    if (n.isTextual()) {
      String t = n.textValue();
      return "string \"" + (t.length() > 40 ? t.substring(0, 40) + "…" : t) + "\"";
    }
    if (n.isNumber()) {
      return "number " + n.asText();
    }
    if (n.isBoolean()) {
      return n.asText();
    }
    if (n.isNull()) {
      return "null";
    }
    return n.isArray() ? "a list" : "an object";
  }

  // ---------------------------------------------------------------- Open Inference Protocol v2

  /**
   * A validated v2 inference request: the graph's own tensors ({@code inputs}), or, when the card
   * declares transforms, the raw features ({@code features}) the runtime transforms first.
   */
  public record V2Request(
      String id, List<Tensor> inputs, FeatureBatch features, Set<String> outputs) {}

  /** Reads an Open Inference Protocol v2 infer request against the graph's inputs. */
  public V2Request v2(JsonNode root) {
    if (!root.isObject()) {
      throw new ApiException(400, "body must be a JSON object with \"inputs\"");
    }
    JsonNode idNode = root.get("id");
    String id = idNode != null && idNode.isTextual() ? idNode.textValue() : null;
    if (idNode != null && !idNode.isNull() && !idNode.isTextual()) {
      throw ApiException.field(400, "id", "must be a string");
    }
    JsonNode inputs = root.get("inputs");
    if (inputs == null || inputs.isNull()) {
      throw ApiException.field(400, "inputs", "required: a list of input tensors");
    }
    if (!inputs.isArray()) {
      throw ApiException.field(400, "inputs", "must be a list of input tensors");
    }
    if (inputs.isEmpty()) {
      throw ApiException.field(
          422, "inputs", "empty: this model takes " + describe(signature.inputs()));
    }
    if (signature.card().hasTransforms()) {
      return v2Features(root, id, inputs);
    }
    Map<String, TensorSpec> specs = new HashMap<>();
    signature.inputs().forEach(s -> specs.put(s.name(), s));
    Violations v = new Violations();
    List<Tensor> tensors = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    long batch = -1;
    for (int i = 0; i < inputs.size(); i++) {
      String p = "inputs[" + i + "]";
      JsonNode in = inputs.get(i);
      if (!in.isObject()) {
        v.add(p, "must be an object with name, shape, datatype and data");
        continue;
      }
      JsonNode nameNode = in.get("name");
      if (nameNode == null || !nameNode.isTextual()) {
        v.add(p + ".name", "required string");
        continue;
      }
      String name = nameNode.textValue();
      TensorSpec spec = specs.get(name);
      if (spec == null) {
        v.add(
            p + ".name",
            "unknown input \""
                + name
                + "\" (this model takes "
                + describe(signature.inputs())
                + ")");
        continue;
      }
      if (!seen.add(name)) {
        v.add(p + ".name", "input \"" + name + "\" given twice");
        continue;
      }
      Tensor t = tensor(in, spec, p, v);
      if (t != null) {
        if (batch >= 0 && t.shape().length > 0 && t.shape()[0] != batch) {
          v.add(
              p + ".shape[0]",
              "batch size " + t.shape()[0] + " differs from the other inputs' " + batch);
        } else if (t.shape().length > 0) {
          batch = t.shape()[0];
        }
        tensors.add(t);
      }
    }
    for (TensorSpec s : signature.inputs()) {
      if (!seen.contains(s.name()) && v.isEmpty()) {
        v.add("inputs", "missing input \"" + s.name() + "\" (" + describe(List.of(s)) + ")");
      }
    }
    Set<String> outputs = requestedOutputs(root.get("outputs"), v);
    v.throwIfAny();
    return new V2Request(id, tensors, null, outputs);
  }

  /**
   * The v2 tensors a card with transforms is served with: one per declared feature, named like it,
   * of shape [N] or [N, 1] (see {@link #featureTensors(List)}), carrying raw values that are
   * validated like the readable API's and transformed before the model.
   */
  private V2Request v2Features(JsonNode root, String id, JsonNode inputs) {
    Violations v = new Violations();
    Object[] data = new Object[features.size()];
    long batch = -1;
    for (int i = 0; i < inputs.size(); i++) {
      String p = "inputs[" + i + "]";
      JsonNode in = inputs.get(i);
      if (!in.isObject()) {
        v.add(p, "must be an object with name, shape, datatype and data");
        continue;
      }
      JsonNode nameNode = in.get("name");
      if (nameNode == null || !nameNode.isTextual()) {
        v.add(p + ".name", "required string");
        continue;
      }
      Integer j = featureIndex.get(nameNode.textValue());
      if (j == null) {
        v.add(
            p + ".name",
            "unknown input \""
                + nameNode.textValue()
                + "\" (this model's card declares transforms, so v2 takes one tensor per feature: "
                + describe(featureTensors(features))
                + ")");
        continue;
      }
      if (data[j] != null) {
        v.add(p + ".name", "input \"" + nameNode.textValue() + "\" given twice");
        continue;
      }
      JsonNode shapeNode = in.get("shape");
      TensorSpec spec = featureTensor(features.get(j), shapeNode != null && shapeNode.size() == 2);
      Tensor t = tensor(in, spec, p, v, features.get(j));
      if (t == null) {
        continue;
      }
      if (batch >= 0 && t.shape()[0] != batch) {
        v.add(
            p + ".shape[0]",
            "batch size " + t.shape()[0] + " differs from the other inputs' " + batch);
        continue;
      }
      batch = t.shape()[0];
      data[j] = t.data();
      if (t.data() instanceof String[] strings) {
        for (int k = 0; k < strings.length; k++) {
          String problem = categoryProblem(features.get(j), strings[k]);
          if (problem != null) {
            v.add(p + ".data[" + k + "]", problem);
          }
        }
      }
    }
    Set<String> outputs = requestedOutputs(root.get("outputs"), v);
    v.throwIfAny(); // every given tensor is valid, so rows is known
    int rows = (int) batch;
    Object[] columns = new Object[features.size()];
    for (int j = 0; j < columns.length; j++) {
      FeatureSpec f = features.get(j);
      if (data[j] == null) {
        if (f.required()) {
          v.add(
              "inputs",
              "missing input \""
                  + f.name()
                  + "\" ("
                  + describe(List.of(featureTensor(f, false)))
                  + ")");
          continue;
        }
        Object column =
            switch (f.type()) {
              case BOOLEAN -> new boolean[rows];
              case STRING -> new String[rows];
              default -> new double[rows];
            };
        for (int r = 0; r < rows; r++) {
          store(f, f.defaultValue(), column, r);
        }
        columns[j] = column;
      } else {
        columns[j] = asColumn(data[j]);
      }
    }
    v.throwIfAny();
    return new V2Request(id, List.of(), new FeatureBatch(rows, columns), outputs);
  }

  /** The v2 inputs of a card with transforms: one tensor per declared feature, [N] each. */
  public static List<TensorSpec> featureTensors(List<FeatureSpec> features) {
    return features.stream().map(f -> featureTensor(f, false)).toList();
  }

  private static TensorSpec featureTensor(FeatureSpec f, boolean rank2) {
    Datatype d =
        switch (f.type()) {
          case FLOAT -> Datatype.FP32;
          case DOUBLE -> Datatype.FP64;
          case INTEGER -> Datatype.INT64;
          case BOOLEAN -> Datatype.BOOL;
          case STRING -> Datatype.BYTES;
        };
    return new TensorSpec(f.name(), d, rank2 ? new long[] {-1, 1} : new long[] {-1});
  }

  /**
   * A tensor's values as a feature column: numbers as doubles, booleans and strings as they are.
   */
  private static Object asColumn(Object data) {
    if (data instanceof float[] a) {
      double[] d = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        d[i] = a[i];
      }
      return d;
    }
    if (data instanceof long[] a) {
      double[] d = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        d[i] = a[i];
      }
      return d;
    }
    return data;
  }

  private Set<String> requestedOutputs(JsonNode node, Violations v) {
    Set<String> all = new LinkedHashSet<>();
    signature.outputs().stream()
        .filter(o -> o.datatype() != Datatype.UNSUPPORTED)
        .forEach(o -> all.add(o.name()));
    if (node == null || node.isNull()) {
      return all;
    }
    if (!node.isArray()) {
      v.add("outputs", "must be a list of {\"name\": ...}");
      return all;
    }
    Set<String> wanted = new LinkedHashSet<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode name = node.get(i).get("name");
      if (name == null || !name.isTextual()) {
        v.add("outputs[" + i + "].name", "required string");
      } else if (!all.contains(name.textValue())) {
        v.add(
            "outputs[" + i + "].name",
            "unknown output \""
                + name.textValue()
                + "\" (this model has "
                + String.join(", ", all)
                + ")");
      } else {
        wanted.add(name.textValue());
      }
    }
    return wanted.isEmpty() ? all : wanted;
  }

  private Tensor tensor(JsonNode in, TensorSpec spec, String p, Violations v) {
    return tensor(in, spec, p, v, null);
  }

  /**
   * @param feature the declared feature every value belongs to, or null to find it by column
   */
  private Tensor tensor(JsonNode in, TensorSpec spec, String p, Violations v, FeatureSpec feature) {
    JsonNode dt = in.get("datatype");
    if (dt == null || !dt.isTextual()) {
      v.add(p + ".datatype", "required: " + spec.datatype());
      return null;
    }
    if (!dt.textValue().equals(spec.datatype().name())) {
      v.add(
          p + ".datatype",
          "must be "
              + spec.datatype()
              + " for input \""
              + spec.name()
              + "\" (got "
              + dt.textValue()
              + ")");
      return null;
    }
    long[] shape = shape(in.get("shape"), spec, p, v);
    if (shape == null) {
      return null;
    }
    JsonNode data = in.get("data");
    if (data == null || !data.isArray()) {
      v.add(p + ".data", "required: a list of " + Tensor.elementCount(shape) + " values");
      return null;
    }
    int count = (int) Tensor.elementCount(shape);
    List<JsonNode> flat = new ArrayList<>(count);
    if (!flatten(data, flat, count)) {
      v.add(
          p + ".data",
          "has more values than shape " + Arrays.toString(shape) + " holds (" + count + ")");
      return null;
    }
    if (flat.size() != count) {
      v.add(
          p + ".data",
          "has " + flat.size() + " values but shape " + Arrays.toString(shape) + " needs " + count);
      return null;
    }
    Object values = elements(flat, spec, p + ".data", v, feature);
    return values == null ? null : new Tensor(spec.name(), spec.datatype(), shape, values);
  }

  private static long[] shape(JsonNode node, TensorSpec spec, String p, Violations v) {
    String field = p + ".shape";
    if (node == null || !node.isArray()) {
      v.add(field, "required: a list of dimensions like " + expected(spec));
      return null;
    }
    if (node.size() != spec.rank()) {
      v.add(
          field,
          "must have "
              + spec.rank()
              + " dimensions like "
              + expected(spec)
              + " (got "
              + node.size()
              + ")");
      return null;
    }
    long[] shape = new long[node.size()];
    long total = 1;
    for (int d = 0; d < shape.length; d++) {
      JsonNode dim = node.get(d);
      if (!dim.isIntegralNumber() || dim.longValue() < 0) {
        v.add(field + "[" + d + "]", "must be a non-negative integer (got " + kind(dim) + ")");
        return null;
      }
      shape[d] = dim.longValue();
      if (spec.dim(d) >= 0 && shape[d] != spec.dim(d)) {
        v.add(
            field + "[" + d + "]",
            "must be "
                + spec.dim(d)
                + " for input \""
                + spec.name()
                + "\" "
                + expected(spec)
                + " (got "
                + shape[d]
                + ")");
        return null;
      }
      if (shape[d] == 0) {
        v.add(field + "[" + d + "]", "empty tensor: send at least one row");
        return null;
      }
      total *= shape[d];
      if (total > Integer.MAX_VALUE) {
        v.add(field, "describes more values than a request can carry");
        return null;
      }
    }
    return shape;
  }

  private static String expected(TensorSpec spec) {
    StringBuilder b = new StringBuilder("[");
    for (int d = 0; d < spec.rank(); d++) {
      b.append(d > 0 ? ", " : "").append(spec.dim(d) < 0 ? "N" : Long.toString(spec.dim(d)));
    }
    return b.append(']').toString();
  }

  private static String describe(List<TensorSpec> specs) {
    return String.join(
        ", ",
        specs.stream().map(s -> "\"" + s.name() + "\" " + s.datatype() + expected(s)).toList());
  }

  /** Row-major flattening of nested lists; false when there are more than {@code max} values. */
  private static boolean flatten(JsonNode node, List<JsonNode> out, int max) {
    for (JsonNode e : node) {
      if (e.isArray()) {
        if (!flatten(e, out, max)) {
          return false;
        }
      } else {
        if (out.size() == max) {
          return false;
        }
        out.add(e);
      }
    }
    return true;
  }

  private Object elements(
      List<JsonNode> flat, TensorSpec spec, String field, Violations v, FeatureSpec only) {
    int n = flat.size();
    Datatype t = spec.datatype();
    Object out =
        switch (t) {
          case FP32 -> new float[n];
          case FP64 -> new double[n];
          case BOOL -> new boolean[n];
          case BYTES -> new String[n];
          default -> new long[n];
        };
    int columns =
        spec.rank() == 2 && signature.layout() == ModelSignature.Layout.COLUMNS
            ? (int) Math.max(1, spec.dim(1))
            : 1;
    for (int k = 0; k < n; k++) {
      JsonNode e = flat.get(k);
      String f = field + "[" + k + "]";
      switch (t) {
        case BOOL -> {
          if (!e.isBoolean()) {
            v.add(f, "must be true or false (got " + kind(e) + ")");
          } else {
            ((boolean[]) out)[k] = e.booleanValue();
          }
        }
        case BYTES -> {
          if (!e.isTextual()) {
            v.add(f, "must be a string (got " + kind(e) + ")");
          } else {
            ((String[]) out)[k] = e.textValue();
          }
        }
        default -> {
          if (!e.isNumber()) {
            v.add(f, "must be a number (got " + kind(e) + ")");
            continue;
          }
          double d = e.doubleValue();
          if (!Double.isFinite(d)) {
            v.add(f, "must be a finite number (got " + e.asText() + ")");
            continue;
          }
          if (t.isInteger() && (d != Math.rint(d) || d < t.minValue() || d > t.maxValue())) {
            v.add(f, "must be an integer that fits " + t + " (got " + e.asText() + ")");
            continue;
          }
          FeatureSpec feature = only != null ? only : featureFor(spec, k % columns);
          if (feature != null) {
            String problem = boundsProblem(feature, d, e.asText());
            if (problem != null) {
              v.add(f, feature.name() + " (row " + (k / columns) + ") " + problem);
              continue;
            }
          }
          switch (t) {
            case FP32 -> ((float[]) out)[k] = (float) d;
            case FP64 -> ((double[]) out)[k] = d;
            default -> ((long[]) out)[k] = e.longValue();
          }
        }
      }
    }
    return out;
  }

  /** The declared feature behind a value of an input tensor, for range checks. */
  private FeatureSpec featureFor(TensorSpec spec, int column) {
    if (signature.layout() == ModelSignature.Layout.COLUMNS) {
      return column < features.size() ? features.get(column) : null;
    }
    Integer j = featureIndex.get(spec.name());
    return j == null ? null : features.get(j);
  }
}
