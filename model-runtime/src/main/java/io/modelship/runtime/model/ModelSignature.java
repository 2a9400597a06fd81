package io.modelship.runtime.model;

import io.modelship.runtime.card.FeatureSpec;
import io.modelship.runtime.card.FeatureType;
import io.modelship.runtime.card.ModelCard;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How named features map onto the graph's input tensors and how its outputs read as a prediction.
 * Computed once at start-up from the card and the graph; a pure function of both, so every mismatch
 * is found before the first request.
 *
 * @param card the card in force (derived from the graph when there was none)
 * @param layout how features become input tensors
 * @param labelOutput the output holding predicted class labels, or {@code null}
 * @param probabilityOutput the output holding class probabilities [N, C], or {@code null}
 * @param valueOutput the single numeric output of a regressor, or {@code null}
 */
public record ModelSignature(
    ModelCard card,
    Layout layout,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    TensorSpec labelOutput,
    TensorSpec probabilityOutput,
    TensorSpec valueOutput) {

  /** How the readable and KServe v1 forms become input tensors. */
  public enum Layout {
    /** One rank-2 numeric input [N, F]; feature j is column j. */
    COLUMNS,
    /** One input per feature, named like it, of shape [N] or [N, 1]. */
    PER_INPUT
  }

  public enum Kind {
    CLASSIFIER,
    REGRESSOR
  }

  public Kind kind() {
    return valueOutput != null ? Kind.REGRESSOR : Kind.CLASSIFIER;
  }

  /** Class names in probability-column order. */
  public List<String> classNames() {
    return card.labels();
  }

  /**
   * Matches a card (or {@code null}) to a graph.
   *
   * @param fallbackName the model name to use when there is no card (the file's stem)
   * @throws ModelLoadException naming every mismatch
   */
  public static ModelSignature of(
      ModelCard card, List<TensorSpec> inputs, List<TensorSpec> outputs, String fallbackName) {
    List<String> problems = new ArrayList<>();
    for (TensorSpec in : inputs) {
      if (in.datatype() == Datatype.UNSUPPORTED) {
        problems.add("input '" + in.name() + "' has a type this runtime cannot feed");
      }
    }
    if (card == null || card.inputs().isEmpty()) {
      card = derive(card, inputs, fallbackName, problems);
    }
    Layout layout = layout(card, inputs, problems);

    TensorSpec label = null;
    TensorSpec proba = null;
    TensorSpec value = null;
    for (TensorSpec out : outputs) {
      boolean perRow = out.rank() == 1 || (out.rank() == 2 && out.dim(1) == 1);
      if (label == null
          && perRow
          && (out.datatype() == Datatype.BYTES || out.datatype().isInteger())) {
        label = out;
      } else if (proba == null
          && out.rank() == 2
          && out.datatype().isFloating()
          && out.dim(1) != 1) {
        proba = out;
      }
    }
    if (label == null && proba == null) {
      for (TensorSpec out : outputs) {
        boolean perRow = out.rank() == 1 || (out.rank() == 2 && out.dim(1) == 1);
        if (perRow && out.datatype().isFloating()) {
          value = out;
          break;
        }
      }
      if (value == null) {
        problems.add(
            "outputs "
                + outputs
                + ": found neither class labels/probabilities nor a single numeric prediction");
      }
    }
    if (proba != null && proba.dim(1) > 0) {
      long columns = proba.dim(1);
      if (card.labels().isEmpty()) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < columns; i++) {
          names.add(Integer.toString(i));
        }
        card = withLabels(card, names);
      } else if (card.labels().size() != columns) {
        problems.add(
            "outputs.labels: the card lists "
                + card.labels().size()
                + " labels but output '"
                + proba.name()
                + "' has "
                + columns
                + " probability columns");
      }
    }
    if (!problems.isEmpty()) {
      throw new ModelLoadException(String.join("; ", problems));
    }
    return new ModelSignature(card, layout, inputs, outputs, label, proba, value);
  }

  private static ModelCard withLabels(ModelCard c, List<String> labels) {
    return new ModelCard(
        c.name(), c.version(), c.format(), c.description(), c.inputs(), labels, c.derived());
  }

  /** Without declared features, name them after the graph: inputs, or columns {@code x0..xN}. */
  private static ModelCard derive(
      ModelCard card, List<TensorSpec> inputs, String fallbackName, List<String> problems) {
    List<FeatureSpec> features = new ArrayList<>();
    if (inputs.size() == 1 && inputs.get(0).rank() == 2 && inputs.get(0).dim(1) > 1) {
      TensorSpec in = inputs.get(0);
      FeatureType t = featureType(in.datatype());
      for (int i = 0; i < in.dim(1); i++) {
        features.add(FeatureSpec.required("x" + i, t));
      }
    } else {
      for (TensorSpec in : inputs) {
        features.add(FeatureSpec.required(in.name(), featureType(in.datatype())));
      }
    }
    if (card != null) {
      return new ModelCard(
          card.name(),
          card.version(),
          card.format(),
          card.description(),
          features,
          card.labels(),
          card.derived());
    }
    return new ModelCard(fallbackName, "1", "onnx", null, features, List.of(), true);
  }

  private static FeatureType featureType(Datatype d) {
    return switch (d) {
      case FP32 -> FeatureType.FLOAT;
      case FP64 -> FeatureType.DOUBLE;
      case BOOL -> FeatureType.BOOLEAN;
      case BYTES -> FeatureType.STRING;
      default -> FeatureType.INTEGER;
    };
  }

  private static Layout layout(ModelCard card, List<TensorSpec> inputs, List<String> problems) {
    List<FeatureSpec> features = card.inputs();
    Map<String, TensorSpec> byName =
        inputs.stream().collect(Collectors.toMap(TensorSpec::name, Function.identity()));
    boolean allNamed = features.stream().allMatch(f -> byName.containsKey(f.name()));
    if (allNamed && features.size() == inputs.size()) {
      for (int i = 0; i < features.size(); i++) {
        FeatureSpec f = features.get(i);
        TensorSpec in = byName.get(f.name());
        boolean perRow = in.rank() == 1 || (in.rank() == 2 && in.dim(1) == 1);
        if (!perRow) {
          problems.add(
              "inputs["
                  + i
                  + "]: model input '"
                  + in.name()
                  + "' has shape "
                  + java.util.Arrays.toString(in.shape())
                  + "; one value per row ([N] or [N, 1]) is needed");
        }
        if (!compatible(f.type(), in.datatype())) {
          problems.add(
              "inputs["
                  + i
                  + "].type: "
                  + f.type().yamlName()
                  + " cannot feed model input '"
                  + in.name()
                  + "' of type "
                  + in.datatype());
        }
        if (f.oneHot() != null) {
          problems.add(
              "inputs["
                  + i
                  + "].transform.oneHot: feature '"
                  + f.name()
                  + "' expands into "
                  + f.width()
                  + " columns, which needs a model with a single [N, F] input; this model takes"
                  + " one input per feature");
        } else {
          scaledIntoIntegers(f, i, in, problems);
        }
      }
      return Layout.PER_INPUT;
    }
    if (inputs.size() == 1 && inputs.get(0).rank() == 2) {
      TensorSpec in = inputs.get(0);
      int width = features.stream().mapToInt(FeatureSpec::width).sum();
      if (in.dim(1) > 0 && in.dim(1) != width) {
        problems.add(
            "inputs: the card declares "
                + features.size()
                + " features"
                + (width != features.size() ? expansion(features, width) : "")
                + " but model input '"
                + in.name()
                + "' takes "
                + in.dim(1)
                + " columns");
      }
      if (!in.datatype().isFloating() && !in.datatype().isInteger()) {
        problems.add("model input '" + in.name() + "' is " + in.datatype() + ", not numeric");
      }
      for (int i = 0; i < features.size(); i++) {
        FeatureSpec f = features.get(i);
        if (f.oneHot() != null) {
          continue; // a string feature whose 0/1 columns fit any numeric input
        }
        scaledIntoIntegers(f, i, in, problems);
        if (!f.type().isNumeric() || !compatible(f.type(), in.datatype())) {
          problems.add(
              "inputs["
                  + i
                  + "].type: "
                  + f.type().yamlName()
                  + " cannot be a column of '"
                  + in.name()
                  + "' ("
                  + in.datatype()
                  + ")");
        }
      }
      return Layout.COLUMNS;
    }
    problems.add(
        "inputs: the card's features "
            + features.stream().map(FeatureSpec::name).toList()
            + " match neither the model's inputs "
            + inputs.stream().map(TensorSpec::name).toList()
            + " by name nor the columns of a single [N, F] input");
    return Layout.COLUMNS;
  }

  /** " that one-hot encoding expands into 7 columns (colour: 3)". */
  private static String expansion(List<FeatureSpec> features, int width) {
    return " that one-hot encoding expands into "
        + width
        + " columns ("
        + features.stream()
            .filter(f -> f.oneHot() != null)
            .map(f -> f.name() + ": " + f.width())
            .collect(Collectors.joining(", "))
        + ")";
  }

  /** Scaled values are fractional: an integer input would silently truncate them. */
  private static void scaledIntoIntegers(
      FeatureSpec f, int i, TensorSpec in, List<String> problems) {
    if (f.transform() != null && f.oneHot() == null && !in.datatype().isFloating()) {
      problems.add(
          "inputs["
              + i
              + "].transform."
              + f.transform().kind()
              + ": feature '"
              + f.name()
              + "' is scaled to fractional values but model input '"
              + in.name()
              + "' is "
              + in.datatype()
              + "; scaling needs a floating-point input");
    }
  }

  private static boolean compatible(FeatureType f, Datatype d) {
    return switch (f) {
      case FLOAT, DOUBLE -> d.isFloating();
      case INTEGER -> d.isInteger() || d.isFloating();
      case BOOLEAN -> d == Datatype.BOOL;
      case STRING -> d == Datatype.BYTES;
    };
  }
}
