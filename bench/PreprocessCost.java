import io.modelship.runtime.card.ModelCardParser;
import io.modelship.runtime.model.FeatureBatch;
import io.modelship.runtime.model.FeatureEncoder;
import io.modelship.runtime.model.ServedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The cost of a card's declared transforms, in process: the same graph predicting one row with a
 * card without transforms (the baseline) and with one, in alternating rounds so that background
 * load hits both alike; plus the encoder alone. Run by bench/preprocess.sh.
 *
 * <p>Arguments: ROUNDS CALLS_PER_ROUND
 */
public final class PreprocessCost {
  interface Call {
    void run() throws Exception;
  }

  static long sink;

  static double nsPerCall(Call c, int calls) throws Exception {
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      c.run();
    }
    return (System.nanoTime() - t0) / (double) calls;
  }

  static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    int calls = Integer.parseInt(args[1]);
    Path iris = Path.of("examples/models/iris.onnx");
    Path tmp = Files.createTempDirectory("preprocess-bench");
    Path bare = Files.copy(
        Path.of("model-runtime/src/test/resources/models/encoded.onnx"), tmp.resolve("bare.onnx"));
    try (ServedModel plain = ServedModel.load(iris, Path.of("examples/models/iris.yaml"), null);
        ServedModel mm = ServedModel.load(iris, Path.of("examples/models/iris-mm.yaml"), null);
        ServedModel raw = ServedModel.load(bare, null, null);
        ServedModel encoded =
            ServedModel.load(Path.of("model-runtime/src/test/resources/models/encoded.onnx"), null, null)) {
      FeatureBatch cm = new FeatureBatch(1, new Object[] {
        new double[] {5.1}, new double[] {3.5}, new double[] {1.4}, new double[] {0.2}});
      FeatureBatch millimetres = new FeatureBatch(1, new Object[] {
        new double[] {51}, new double[] {35}, new double[] {14}, new double[] {2}});
      FeatureBatch columns = new FeatureBatch(1, new Object[] {
        new double[] {2}, new double[] {0.25}, new double[] {0}, new double[] {1}, new double[] {0}});
      FeatureBatch features = new FeatureBatch(1, new Object[] {
        new double[] {120}, new double[] {50}, new String[] {"green"}});
      FeatureEncoder encoder =
          FeatureEncoder.of(
              ModelCardParser.read(Path.of("model-runtime/src/test/resources/models/encoded.yaml"))
                  .inputs());
      Call[] cs = {
        () -> sink += plain.predict(cm).rows(),
        () -> sink += mm.predict(millimetres).rows(),
        () -> sink += raw.predict(columns).rows(),
        () -> sink += encoded.predict(features).rows(),
        () -> sink += encoder.rowMajor(features).length,
      };
      String[] names = {
        "iris, card without transforms (baseline)",
        "iris, card with 4 standardize transforms",
        "5-column linear model, no card (baseline)",
        "same model, standardize + minMax + 3-way oneHot",
        "the encoder alone (standardize + minMax + oneHot)",
      };
      for (Call c : cs) {
        nsPerCall(c, calls); // warm-up: JIT and ONNX Runtime's first runs
      }
      List<List<Double>> results = new ArrayList<>();
      for (int k = 0; k < cs.length; k++) {
        results.add(new ArrayList<>());
      }
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < cs.length; k++) {
          results.get(k).add(nsPerCall(cs[k], calls));
        }
      }
      double[] m = new double[cs.length];
      for (int k = 0; k < cs.length; k++) {
        m[k] = median(results.get(k));
        System.out.printf(Locale.ROOT, "%-52s %9.0f ns per 1-row predict%n", names[k], m[k]);
      }
      System.out.printf(
          Locale.ROOT,
          "ratio iris with transforms / baseline:        %.3f (%+.0f ns)%n",
          m[1] / m[0],
          m[1] - m[0]);
      System.out.printf(
          Locale.ROOT,
          "ratio linear with transforms / baseline:      %.3f (%+.0f ns)%n",
          m[3] / m[2],
          m[3] - m[2]);
      System.out.printf(
          Locale.ROOT, "encoder share of the transformed predict:     %.1f %%%n", 100 * m[4] / m[3]);
    }
    if (sink == 42) {
      System.out.println();
    }
  }
}
