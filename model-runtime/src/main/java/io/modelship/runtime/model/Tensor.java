package io.modelship.runtime.model;

/**
 * Tensor values in row-major order, independent of ONNX Runtime.
 *
 * @param data {@code float[]} for FP32, {@code double[]} for FP64, {@code long[]} for every integer
 *     type, {@code boolean[]} for BOOL, {@code String[]} for BYTES
 */
public record Tensor(String name, Datatype datatype, long[] shape, Object data) {

  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  public int length() {
    return switch (datatype) {
      case FP32 -> ((float[]) data).length;
      case FP64 -> ((double[]) data).length;
      case BOOL -> ((boolean[]) data).length;
      case BYTES -> ((String[]) data).length;
      default -> ((long[]) data).length;
    };
  }
}
