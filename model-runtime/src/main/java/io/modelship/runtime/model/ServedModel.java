package io.modelship.runtime.model;

import ai.onnxruntime.OrtException;
import io.modelship.runtime.card.FeatureSpec;
import io.modelship.runtime.card.ModelCard;
import io.modelship.runtime.card.ModelCardParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The one model this runtime serves: its graph, its card and its revision. */
public final class ServedModel implements AutoCloseable {

  private final OnnxModel model;
  private final ModelSignature signature;
  private final String sha256;
  private final String revision;
  private final Set<String> predictionOutputs;
  private final FeatureEncoder encoder;

  private ServedModel(OnnxModel model, ModelSignature signature, String sha256, String revision) {
    this.model = model;
    this.signature = signature;
    this.sha256 = sha256;
    this.revision = revision;
    Set<String> wanted = new LinkedHashSet<>();
    for (TensorSpec t :
        new TensorSpec[] {
          signature.labelOutput(), signature.probabilityOutput(), signature.valueOutput()
        }) {
      if (t != null) {
        wanted.add(t.name());
      }
    }
    this.predictionOutputs = Set.copyOf(wanted);
    this.encoder =
        signature.card().hasTransforms() ? FeatureEncoder.of(signature.card().inputs()) : null;
  }

  /**
   * Loads a model and its card.
   *
   * @param cardFile an explicit card, or {@code null} to look for {@code <model>.yaml} beside it
   * @param revision the revision to report, or {@code null} for the file's sha256 prefix
   */
  public static ServedModel load(Path modelFile, Path cardFile, String revision) {
    ModelCard card = null;
    if (cardFile != null) {
      card = ModelCardParser.read(cardFile);
    } else {
      Path beside = besideCard(modelFile);
      if (Files.isRegularFile(beside)) {
        card = ModelCardParser.read(beside);
      }
    }
    String sha = sha256(modelFile);
    OnnxModel onnx = OnnxModel.load(modelFile);
    try {
      ModelSignature sig = ModelSignature.of(card, onnx.inputs(), onnx.outputs(), stem(modelFile));
      String rev = revision == null || revision.isBlank() ? sha.substring(0, 12) : revision;
      return new ServedModel(onnx, sig, sha, rev);
    } catch (ModelLoadException e) {
      onnx.close();
      String where = cardFile != null ? cardFile.toString() : modelFile.toString();
      throw new ModelLoadException(where + ": card and model do not match: " + e.getMessage(), e);
    }
  }

  /** {@code models/iris.onnx} → {@code models/iris.yaml}. */
  static Path besideCard(Path modelFile) {
    String file = modelFile.getFileName().toString();
    int dot = file.lastIndexOf('.');
    String base = dot > 0 ? file.substring(0, dot) : file;
    return modelFile.resolveSibling(base + ".yaml");
  }

  private static String stem(Path modelFile) {
    String file = modelFile.getFileName().toString();
    int dot = file.lastIndexOf('.');
    String base = (dot > 0 ? file.substring(0, dot) : file).toLowerCase(Locale.ROOT);
    String cleaned = base.replaceAll("[^a-z0-9._-]", "-").replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
    return cleaned.isEmpty() ? "model" : cleaned;
  }

  private static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ModelLoadException(file + ": model file not found");
    } catch (IOException e) {
      throw new ModelLoadException(file + ": cannot read model file: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public ModelCard card() {
    return signature.card();
  }

  public ModelSignature signature() {
    return signature;
  }

  public String name() {
    return signature.card().name();
  }

  public String version() {
    return signature.card().version();
  }

  public String revision() {
    return revision;
  }

  public String sha256() {
    return sha256;
  }

  /** Predicts a batch of validated feature rows. */
  public Prediction predict(FeatureBatch batch) throws OrtException {
    Map<String, Tensor> out = model.run(feeds(batch), predictionOutputs);
    int rows = batch.rows();
    float[] proba = null;
    if (signature.probabilityOutput() != null) {
      proba = asFloats(out.get(signature.probabilityOutput().name()));
    }
    String[] labels = null;
    double[] values = null;
    if (signature.valueOutput() != null) {
      values = asDoubles(out.get(signature.valueOutput().name()));
    } else if (signature.labelOutput() != null) {
      labels = labels(out.get(signature.labelOutput().name()));
    } else {
      labels = argmax(proba, rows);
    }
    return new Prediction(rows, labels, proba, values);
  }

  /**
   * Runs the graph on validated features, transformed as the card declares (Open Inference Protocol
   * v2 when the card has transforms).
   */
  public Map<String, Tensor> infer(FeatureBatch batch, Set<String> outputs) throws OrtException {
    return model.run(feeds(batch), outputs);
  }

  /** Runs the graph on raw tensors (Open Inference Protocol v2). */
  public Map<String, Tensor> infer(List<Tensor> inputs, Set<String> outputs) throws OrtException {
    return model.run(inputs, outputs);
  }

  private List<Tensor> feeds(FeatureBatch batch) {
    List<FeatureSpec> features = signature.card().inputs();
    int rows = batch.rows();
    if (encoder != null && signature.layout() == ModelSignature.Layout.COLUMNS) {
      TensorSpec in = signature.inputs().get(0);
      double[] m = encoder.rowMajor(batch);
      long[] shape = {rows, encoder.width()};
      return List.of(new Tensor(in.name(), in.datatype(), shape, column(m, in.datatype())));
    }
    if (signature.layout() == ModelSignature.Layout.COLUMNS) {
      TensorSpec in = signature.inputs().get(0);
      int f = features.size();
      long[] shape = {rows, f};
      Object data;
      switch (in.datatype()) {
        case FP32 -> {
          float[] a = new float[rows * f];
          for (int j = 0; j < f; j++) {
            double[] col = (double[]) batch.columns()[j];
            for (int r = 0; r < rows; r++) {
              a[r * f + j] = (float) col[r];
            }
          }
          data = a;
        }
        case FP64 -> {
          double[] a = new double[rows * f];
          for (int j = 0; j < f; j++) {
            double[] col = (double[]) batch.columns()[j];
            for (int r = 0; r < rows; r++) {
              a[r * f + j] = col[r];
            }
          }
          data = a;
        }
        default -> {
          long[] a = new long[rows * f];
          for (int j = 0; j < f; j++) {
            double[] col = (double[]) batch.columns()[j];
            for (int r = 0; r < rows; r++) {
              a[r * f + j] = (long) col[r];
            }
          }
          data = a;
        }
      }
      return List.of(new Tensor(in.name(), in.datatype(), shape, data));
    }
    List<Tensor> feeds = new ArrayList<>(features.size());
    for (int j = 0; j < features.size(); j++) {
      String name = features.get(j).name();
      TensorSpec in =
          signature.inputs().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
      long[] shape = in.rank() == 1 ? new long[] {rows} : new long[] {rows, 1};
      Object col = encoder != null ? encoder.column(batch, j) : batch.columns()[j];
      feeds.add(new Tensor(name, in.datatype(), shape, column(col, in.datatype())));
    }
    return feeds;
  }

  private static Object column(Object col, Datatype type) {
    if (!(col instanceof double[] d)) {
      return col; // boolean[] and String[] are already what the tensor takes
    }
    return switch (type) {
      case FP64 -> d;
      case FP32 -> {
        float[] a = new float[d.length];
        for (int i = 0; i < d.length; i++) {
          a[i] = (float) d[i];
        }
        yield a;
      }
      default -> {
        long[] a = new long[d.length];
        for (int i = 0; i < d.length; i++) {
          a[i] = (long) d[i];
        }
        yield a;
      }
    };
  }

  private String[] labels(Tensor t) {
    if (t.data() instanceof String[] s) {
      return s;
    }
    long[] v = (long[]) t.data();
    List<String> names = signature.classNames();
    String[] out = new String[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] >= 0 && v[i] < names.size() ? names.get((int) v[i]) : Long.toString(v[i]);
    }
    return out;
  }

  private String[] argmax(float[] proba, int rows) {
    int c = proba.length / rows;
    String[] out = new String[rows];
    List<String> names = signature.classNames();
    for (int r = 0; r < rows; r++) {
      int best = 0;
      for (int k = 1; k < c; k++) {
        if (proba[r * c + k] > proba[r * c + best]) {
          best = k;
        }
      }
      out[r] = best < names.size() ? names.get(best) : Integer.toString(best);
    }
    return out;
  }

  private static float[] asFloats(Tensor t) {
    if (t.data() instanceof float[] f) {
      return f;
    }
    double[] d = (double[]) t.data();
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  private static double[] asDoubles(Tensor t) {
    if (t.data() instanceof double[] d) {
      return d;
    }
    float[] f = (float[]) t.data();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  @Override
  public void close() {
    model.close();
  }
}
