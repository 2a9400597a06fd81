package io.modelship.runtime.api;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.modelship.runtime.model.Prediction;
import io.modelship.runtime.model.ServedModel;
import io.modelship.runtime.model.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Writes the JSON answers of the prediction APIs straight to bytes. */
public final class ResponseWriter {

  private static final JsonFactory JSON = new JsonFactory();

  private final ServedModel model;
  private final List<String> classNames;

  public ResponseWriter(ServedModel model) {
    this.model = model;
    this.classNames = model.signature().classNames();
  }

  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(Body body) {
    try (ByteArrayBuilder out = new ByteArrayBuilder(256);
        JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      body.write(g);
      g.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Readable form: one object per row; a batch request gets an array. */
  public byte[] readable(Prediction p, boolean batch) {
    return write(
        g -> {
          if (batch) {
            g.writeStartArray();
          }
          for (int r = 0; r < p.rows(); r++) {
            g.writeStartObject();
            row(g, p, r);
            g.writeStringField("model", model.name());
            g.writeStringField("version", model.version());
            g.writeEndObject();
          }
          if (batch) {
            g.writeEndArray();
          }
        });
  }

  private void row(JsonGenerator g, Prediction p, int r) throws IOException {
    if (p.values() != null) {
      g.writeNumberField("prediction", p.values()[r]);
      return;
    }
    g.writeStringField("label", p.labels()[r]);
    if (p.probabilities() != null) {
      int c = p.probabilities().length / p.rows();
      g.writeObjectFieldStart("probabilities");
      for (int k = 0; k < c; k++) {
        g.writeNumberField(
            k < classNames.size() ? classNames.get(k) : Integer.toString(k),
            p.probabilities()[r * c + k]);
      }
      g.writeEndObject();
    }
  }

  /** KServe v1: {@code {"predictions": [...]}} with a label or value per row. */
  public byte[] kserveV1(Prediction p) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("predictions");
          for (int r = 0; r < p.rows(); r++) {
            if (p.values() != null) {
              g.writeNumber(p.values()[r]);
            } else {
              g.writeString(p.labels()[r]);
            }
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** Open Inference Protocol v2 inference response. */
  public byte[] v2(String id, Map<String, Tensor> outputs) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("model_name", model.name());
          g.writeStringField("model_version", model.version());
          if (id != null) {
            g.writeStringField("id", id);
          }
          g.writeArrayFieldStart("outputs");
          for (Tensor t : outputs.values()) {
            g.writeStartObject();
            g.writeStringField("name", t.name());
            g.writeStringField("datatype", t.datatype().name());
            g.writeArrayFieldStart("shape");
            for (long d : t.shape()) {
              g.writeNumber(d);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("data");
            data(g, t);
            g.writeEndArray();
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  private static void data(JsonGenerator g, Tensor t) throws IOException {
    switch (t.datatype()) {
      case FP32 -> {
        for (float f : (float[]) t.data()) {
          g.writeNumber(f);
        }
      }
      case FP64 -> {
        for (double d : (double[]) t.data()) {
          g.writeNumber(d);
        }
      }
      case BOOL -> {
        for (boolean b : (boolean[]) t.data()) {
          g.writeBoolean(b);
        }
      }
      case BYTES -> {
        for (String s : (String[]) t.data()) {
          g.writeString(s);
        }
      }
      default -> {
        for (long l : (long[]) t.data()) {
          g.writeNumber(l);
        }
      }
    }
  }

  /** {@code {"error": ..., "status": ..., "violations": [{field, reason}]}}. */
  public static byte[] error(int status, String message, List<Violation> violations) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("error", message);
          g.writeNumberField("status", status);
          if (!violations.isEmpty()) {
            g.writeArrayFieldStart("violations");
            for (Violation v : violations) {
              g.writeStartObject();
              g.writeStringField("field", v.field());
              g.writeStringField("reason", v.reason());
              g.writeEndObject();
            }
            g.writeEndArray();
          }
          g.writeEndObject();
        });
  }

  /** Model metadata for {@code GET /v2/models/{name}}. */
  public byte[] metadata() {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("name", model.name());
          g.writeArrayFieldStart("versions");
          g.writeString(model.version());
          g.writeEndArray();
          g.writeStringField("platform", "onnxruntime_onnx");
          tensors(
              g,
              "inputs",
              model.card().hasTransforms()
                  ? RequestReader.featureTensors(model.card().inputs())
                  : model.signature().inputs());
          tensors(g, "outputs", model.signature().outputs());
          g.writeObjectFieldStart("parameters");
          g.writeStringField("revision", model.revision());
          g.writeStringField("sha256", model.sha256());
          if (model.card().description() != null) {
            g.writeStringField("description", model.card().description());
          }
          g.writeBooleanField("card_derived_from_graph", model.card().derived());
          g.writeArrayFieldStart("features");
          for (var f : model.card().inputs()) {
            g.writeStartObject();
            g.writeStringField("name", f.name());
            g.writeStringField("type", f.type().yamlName());
            if (f.min() != null) {
              g.writeNumberField("min", f.min());
            }
            if (f.max() != null) {
              g.writeNumberField("max", f.max());
            }
            g.writeBooleanField("required", f.required());
            if (f.transform() != null) {
              g.writeStringField("transform", f.transform().kind());
            }
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeArrayFieldStart("labels");
          for (String l : classNames) {
            g.writeString(l);
          }
          g.writeEndArray();
          g.writeEndObject();
          g.writeEndObject();
        });
  }

  private static void tensors(
      JsonGenerator g, String field, List<io.modelship.runtime.model.TensorSpec> specs)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (var s : specs) {
      g.writeStartObject();
      g.writeStringField("name", s.name());
      g.writeStringField("datatype", s.datatype().name());
      g.writeArrayFieldStart("shape");
      for (long d : s.shape()) {
        g.writeNumber(d);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
