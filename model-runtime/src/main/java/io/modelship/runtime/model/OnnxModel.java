package io.modelship.runtime.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.modelship.runtime.Messages;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model loaded into ONNX Runtime, fed and read through plain Java arrays ({@link Tensor}).
 * Thread-safe: ONNX Runtime sessions allow concurrent {@code run} calls.
 */
public final class OnnxModel implements AutoCloseable {

  private final OrtEnvironment env;
  private final OrtSession session;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;

  private OnnxModel(OrtEnvironment env, OrtSession session) throws OrtException {
    this.env = env;
    this.session = session;
    this.inputs = specs(session.getInputInfo());
    this.outputs = specs(session.getOutputInfo());
  }

  /**
   * Loads a model file. Requests are small and many, so each runs on one thread: the HTTP event
   * loops already give the parallelism, and ONNX Runtime's own thread pool would only add
   * hand-offs.
   */
  public static OnnxModel load(Path file) {
    if (!Files.exists(file)) {
      throw new ModelLoadException(file + ": model file not found");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new ModelLoadException(file + ": not a readable file");
    }
    OrtEnvironment env;
    try {
      env = OrtEnvironment.getEnvironment();
    } catch (LinkageError e) {
      throw new ModelLoadException(
          nativeLibraryMissing(
              System.getProperty("os.name"),
              System.getProperty("os.arch"),
              Messages.firstLine(e.getMessage())),
          e);
    }
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      OrtSession session = env.createSession(file.toString(), options);
      return new OnnxModel(env, session);
    } catch (OrtException e) {
      throw new ModelLoadException(
          file + ": not a loadable ONNX model: " + Messages.firstLine(e.getMessage()), e);
    }
  }

  /**
   * Why ONNX Runtime could not start: its native library for this platform is neither in the jar
   * (one built with an {@code edge-*} profile carries one platform's only, docs/edge.md) nor where
   * {@code onnxruntime.native.path} or {@code java.library.path} point.
   */
  static String nativeLibraryMissing(String osName, String osArch, String detail) {
    String os =
        osName.startsWith("Mac")
            ? "osx"
            : osName.startsWith("Windows") ? "win" : osName.toLowerCase();
    String arch =
        switch (osArch) {
          case "amd64", "x86_64" -> "x64";
          case "aarch64", "arm64" -> "aarch64";
          default -> osArch;
        };
    return "ONNX Runtime cannot start on "
        + os
        + "-"
        + arch
        + ": its native library for this platform is not in this jar ("
        + detail
        + "). A jar built with -Pedge-<platform> carries one platform's library only: use the"
        + " jar built without such a profile, or put libonnxruntime and libonnxruntime4j_jni for "
        + os
        + "-"
        + arch
        + " in a directory and pass -Donnxruntime.native.path=DIR (docs/edge.md)";
  }

  private static List<TensorSpec> specs(Map<String, NodeInfo> infos) {
    List<TensorSpec> list = new ArrayList<>();
    for (NodeInfo n : infos.values()) {
      if (n.getInfo() instanceof TensorInfo t) {
        list.add(new TensorSpec(n.getName(), Datatype.of(t.type), t.getShape()));
      } else {
        list.add(new TensorSpec(n.getName(), Datatype.UNSUPPORTED, new long[0]));
      }
    }
    return List.copyOf(list);
  }

  public List<TensorSpec> inputs() {
    return inputs;
  }

  public List<TensorSpec> outputs() {
    return outputs;
  }

  /**
   * Runs the model.
   *
   * @param feeds one tensor per model input, already checked against {@link #inputs()}
   * @param wanted names of the outputs to compute
   * @return the wanted outputs, in the order of {@code wanted}
   */
  public Map<String, Tensor> run(Collection<Tensor> feeds, Set<String> wanted) throws OrtException {
    Map<String, OnnxTensor> ortFeeds = new HashMap<>(feeds.size() * 2);
    Scratch scratch = this.scratch.get();
    scratch.reset();
    try {
      for (Tensor t : feeds) {
        ortFeeds.put(t.name(), toOrt(t, scratch));
      }
      try (OrtSession.Result result = session.run(ortFeeds, wanted)) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
          out.put(e.getKey(), fromOrt(e.getKey(), (OnnxTensor) e.getValue()));
        }
        return out;
      }
    } finally {
      for (OnnxTensor t : ortFeeds.values()) {
        t.close();
      }
    }
  }

  /**
   * Per-thread native memory for input tensors. ONNX Runtime reads a direct buffer in place, while
   * a heap array costs a fresh direct allocation per tensor; requests on one thread run one after
   * another, so each thread reuses its own region.
   */
  private static final class Scratch {
    private ByteBuffer buffer = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    private int used;

    void reset() {
      used = 0;
    }

    /** Ensures room for a run whose tensors total {@code bytes}; only before the first slice. */
    ByteBuffer slice(int bytes) {
      int start = (used + 7) & ~7;
      if (start + bytes > buffer.capacity()) {
        if (used > 0) {
          // Tensors already handed out point into the current buffer: keep it, use a fresh one.
          return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        buffer =
            ByteBuffer.allocateDirect(Math.max(bytes, buffer.capacity() * 2))
                .order(ByteOrder.nativeOrder());
        start = 0;
      }
      used = start + bytes;
      return buffer
          .duplicate()
          .position(start)
          .limit(start + bytes)
          .slice()
          .order(ByteOrder.nativeOrder());
    }
  }

  /** Inputs above this size get their own allocation instead of growing the per-thread region. */
  private static final int SCRATCH_LIMIT = 1 << 20;

  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  private static ByteBuffer direct(Scratch scratch, int bytes) {
    return bytes > SCRATCH_LIMIT
        ? ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder())
        : scratch.slice(bytes);
  }

  private OnnxTensor toOrt(Tensor t, Scratch scratch) throws OrtException {
    long[] shape = t.shape();
    return switch (t.datatype()) {
      case FP32 -> {
        float[] a = (float[]) t.data();
        FloatBuffer b = direct(scratch, a.length * Float.BYTES).asFloatBuffer().put(a).flip();
        yield OnnxTensor.createTensor(env, b, shape);
      }
      case FP64 -> {
        double[] a = (double[]) t.data();
        DoubleBuffer b = direct(scratch, a.length * Double.BYTES).asDoubleBuffer().put(a).flip();
        yield OnnxTensor.createTensor(env, b, shape);
      }
      case INT64 -> {
        long[] a = (long[]) t.data();
        LongBuffer b = direct(scratch, a.length * Long.BYTES).asLongBuffer().put(a).flip();
        yield OnnxTensor.createTensor(env, b, shape);
      }
      case INT32 -> {
        long[] v = (long[]) t.data();
        int[] a = new int[v.length];
        for (int i = 0; i < v.length; i++) {
          a[i] = (int) v[i];
        }
        yield OnnxTensor.createTensor(env, IntBuffer.wrap(a), shape);
      }
      case INT16 -> {
        long[] v = (long[]) t.data();
        short[] a = new short[v.length];
        for (int i = 0; i < v.length; i++) {
          a[i] = (short) v[i];
        }
        yield OnnxTensor.createTensor(env, ShortBuffer.wrap(a), shape);
      }
      case INT8, UINT8 -> {
        long[] v = (long[]) t.data();
        ByteBuffer b = ByteBuffer.allocateDirect(v.length).order(ByteOrder.nativeOrder());
        for (long x : v) {
          b.put((byte) x);
        }
        b.rewind();
        yield OnnxTensor.createTensor(
            env, b, shape, t.datatype() == Datatype.INT8 ? OnnxJavaType.INT8 : OnnxJavaType.UINT8);
      }
      case BOOL -> {
        boolean[] v = (boolean[]) t.data();
        ByteBuffer b = ByteBuffer.allocateDirect(v.length).order(ByteOrder.nativeOrder());
        for (boolean x : v) {
          b.put((byte) (x ? 1 : 0));
        }
        b.rewind();
        yield OnnxTensor.createTensor(env, b, shape, OnnxJavaType.BOOL);
      }
      case BYTES -> OnnxTensor.createTensor(env, (String[]) t.data(), shape);
      case UNSUPPORTED -> throw new IllegalArgumentException("unsupported input " + t.name());
    };
  }

  private static Tensor fromOrt(String name, OnnxTensor t) throws OrtException {
    TensorInfo info = t.getInfo();
    long[] shape = info.getShape();
    Datatype type = Datatype.of(info.type);
    Object data =
        switch (type) {
          case FP32 -> array(t.getFloatBuffer());
          case FP64 -> array(t.getDoubleBuffer());
          case INT64 -> array(t.getLongBuffer());
          case INT32 -> widen(t.getIntBuffer());
          case INT16 -> widen(t.getShortBuffer());
          case INT8, UINT8 -> widen(t.getByteBuffer(), type == Datatype.UINT8);
          case BOOL -> bools(t.getByteBuffer());
          case BYTES -> strings(t.getValue(), (int) Tensor.elementCount(shape));
          case UNSUPPORTED ->
              throw new IllegalStateException("output " + name + " has an unsupported type");
        };
    return new Tensor(name, type, shape, data);
  }

  private static float[] array(FloatBuffer b) {
    float[] a = new float[b.remaining()];
    b.get(a);
    return a;
  }

  private static double[] array(DoubleBuffer b) {
    double[] a = new double[b.remaining()];
    b.get(a);
    return a;
  }

  private static long[] array(LongBuffer b) {
    long[] a = new long[b.remaining()];
    b.get(a);
    return a;
  }

  private static long[] widen(IntBuffer b) {
    long[] a = new long[b.remaining()];
    for (int i = 0; i < a.length; i++) {
      a[i] = b.get();
    }
    return a;
  }

  private static long[] widen(ShortBuffer b) {
    long[] a = new long[b.remaining()];
    for (int i = 0; i < a.length; i++) {
      a[i] = b.get();
    }
    return a;
  }

  private static long[] widen(ByteBuffer b, boolean unsigned) {
    long[] a = new long[b.remaining()];
    for (int i = 0; i < a.length; i++) {
      byte v = b.get();
      a[i] = unsigned ? (v & 0xff) : v;
    }
    return a;
  }

  private static boolean[] bools(ByteBuffer b) {
    boolean[] a = new boolean[b.remaining()];
    for (int i = 0; i < a.length; i++) {
      a[i] = b.get() != 0;
    }
    return a;
  }

  /** Flattens ONNX Runtime's nested String arrays in row-major order. */
  private static String[] strings(Object value, int count) {
    String[] out = new String[count];
    flatten(value, out, new int[1]);
    return out;
  }

  private static void flatten(Object value, String[] out, int[] pos) {
    if (value instanceof String s) {
      out[pos[0]++] = s;
      return;
    }
    int n = Array.getLength(value);
    for (int i = 0; i < n; i++) {
      flatten(Array.get(value, i), out, pos);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      // Closing at shutdown: nothing left to do with a failure.
    }
  }
}
