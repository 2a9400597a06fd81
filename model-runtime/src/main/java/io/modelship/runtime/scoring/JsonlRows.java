package io.modelship.runtime.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelship.runtime.api.ApiException;
import io.modelship.runtime.api.RequestReader;
import io.modelship.runtime.card.FeatureSpec;
import java.util.List;

/**
 * JSON-lines rows to validated features: each line one object of named features, as the body of a
 * readable HTTP request, parsed and checked by the same {@link RequestReader}. Keys that are not
 * features are carried through to the output rather than refused, as a CSV file's extra columns.
 */
final class JsonlRows {

  private final RequestReader reader;
  private final List<FeatureSpec> features;

  JsonlRows(RequestReader reader, List<FeatureSpec> features) {
    this.reader = reader;
    this.features = features;
  }

  RowResult row(byte[] line) {
    try {
      JsonNode node = reader.parse(line);
      if (!(node instanceof ObjectNode object)) {
        return new RowResult.Rejected(
            "must be a JSON object of features ({\""
                + (features.isEmpty() ? "feature" : features.get(0).name())
                + "\": ...}), got "
                + (node.isArray() ? "a list" : node.getNodeType().toString().toLowerCase()));
      }
      ObjectNode only = JsonNodeFactory.instance.objectNode();
      for (FeatureSpec f : features) {
        JsonNode v = object.get(f.name());
        if (v != null) {
          only.set(f.name(), v);
        }
      }
      return new RowResult.Accepted(reader.readable(only), object);
    } catch (ApiException e) {
      return new RowResult.Rejected(e.getMessage());
    }
  }
}
