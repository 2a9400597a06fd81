package io.modelship.runtime.model;

import java.util.Arrays;

/**
 * A model input or output as the graph declares it.
 *
 * @param shape dimensions, {@code -1} where the graph leaves one open (usually the batch)
 */
public record TensorSpec(String name, Datatype datatype, long[] shape) {

  public int rank() {
    return shape.length;
  }

  /** The size of dimension {@code i}, or -1 when open. */
  public long dim(int i) {
    return shape[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t
        && t.name.equals(name)
        && t.datatype == datatype
        && Arrays.equals(t.shape, shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + datatype + Arrays.toString(shape);
  }
}
