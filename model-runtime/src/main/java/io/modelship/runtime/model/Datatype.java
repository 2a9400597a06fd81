package io.modelship.runtime.model;

import ai.onnxruntime.OnnxJavaType;

/** Tensor element types, spelled as the Open Inference Protocol v2 spells them. */
public enum Datatype {
  BOOL,
  UINT8,
  INT8,
  INT16,
  INT32,
  INT64,
  FP32,
  FP64,
  BYTES,
  /** An element type the runtime can describe but not feed or read (FP16, maps, ...). */
  UNSUPPORTED;

  public static Datatype of(OnnxJavaType t) {
    return switch (t) {
      case BOOL -> BOOL;
      case UINT8 -> UINT8;
      case INT8 -> INT8;
      case INT16 -> INT16;
      case INT32 -> INT32;
      case INT64 -> INT64;
      case FLOAT -> FP32;
      case DOUBLE -> FP64;
      case STRING -> BYTES;
      default -> UNSUPPORTED;
    };
  }

  public boolean isFloating() {
    return this == FP32 || this == FP64;
  }

  public boolean isInteger() {
    return this == UINT8 || this == INT8 || this == INT16 || this == INT32 || this == INT64;
  }

  /** Inclusive range of an integer type, as doubles (exact for every bound used here). */
  public double minValue() {
    return switch (this) {
      case UINT8 -> 0;
      case INT8 -> Byte.MIN_VALUE;
      case INT16 -> Short.MIN_VALUE;
      case INT32 -> Integer.MIN_VALUE;
      default -> -9.007199254740992E15; // 2^53: beyond it a JSON number is no longer exact
    };
  }

  public double maxValue() {
    return switch (this) {
      case UINT8 -> 255;
      case INT8 -> Byte.MAX_VALUE;
      case INT16 -> Short.MAX_VALUE;
      case INT32 -> Integer.MAX_VALUE;
      default -> 9.007199254740992E15;
    };
  }
}
