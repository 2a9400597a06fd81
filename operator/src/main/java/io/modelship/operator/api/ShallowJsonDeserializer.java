package io.modelship.operator.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Reads a schemaless value (a feature's {@code default}) keeping at most {@link #KEPT_LEVELS}
 * levels of it: a scalar as it is, a list or map cut below that and marked with "…". A default is a
 * scalar, so a list or map is refused anyway; cut, one nested thousands of levels deep (the API
 * server lets it in) never reaches the code that hashes, compares or writes the spec, which
 * recurses.
 */
public class ShallowJsonDeserializer extends JsonDeserializer<JsonNode> {
  public static final int KEPT_LEVELS = 3;

  @Override
  public JsonNode deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    // Jackson reads a tree without recursing, however deep.
    return cut(ctxt.readTree(p), KEPT_LEVELS);
  }

  @Override
  public JsonNode getNullValue(DeserializationContext ctxt) {
    return NullNode.getInstance();
  }

  static JsonNode cut(JsonNode node, int levels) {
    if (!node.isContainerNode()) {
      return node;
    }
    if (levels == 0) {
      return JsonNodeFactory.instance.textNode("…");
    }
    if (node.isArray()) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      node.forEach(child -> a.add(cut(child, levels - 1)));
      return a;
    }
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    node.fields().forEachRemaining(e -> o.set(e.getKey(), cut(e.getValue(), levels - 1)));
    return o;
  }
}
