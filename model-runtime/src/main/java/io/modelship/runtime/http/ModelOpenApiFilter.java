package io.modelship.runtime.http;

import io.modelship.runtime.card.FeatureSpec;
import io.quarkus.arc.Arc;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

/**
 * Writes the served model's card into the OpenAPI document: the {@code Features} schema gets one
 * property per declared feature with its type and range, so Swagger UI shows the real contract and
 * a ready example, and the model name becomes the path parameter's default.
 */
@OpenApiFilter(OpenApiFilter.RunStage.RUNTIME_PER_REQUEST)
public class ModelOpenApiFilter implements OASFilter {

  @Override
  public void filterOpenAPI(OpenAPI openAPI) {
    ModelService service = Arc.container().instance(ModelService.class).get();
    ModelService.Loaded loaded = service == null ? null : service.loaded();
    if (loaded == null || openAPI.getComponents() == null) {
      return;
    }
    var card = loaded.model().card();
    Schema features = openAPI.getComponents().getSchemas().get("Features");
    if (features != null) {
      Map<String, Schema> props = new LinkedHashMap<>();
      List<String> required = new ArrayList<>();
      Map<String, Object> example = new LinkedHashMap<>();
      for (FeatureSpec f : card.inputs()) {
        Schema s = OASFactory.createSchema();
        switch (f.type()) {
          case BOOLEAN -> s.addType(Schema.SchemaType.BOOLEAN);
          case STRING -> s.addType(Schema.SchemaType.STRING);
          case INTEGER -> s.addType(Schema.SchemaType.INTEGER);
          default -> s.addType(Schema.SchemaType.NUMBER);
        }
        if (f.min() != null) {
          s.setMinimum(BigDecimal.valueOf(f.min()));
        }
        if (f.max() != null) {
          s.setMaximum(BigDecimal.valueOf(f.max()));
        }
        if (f.defaultValue() != null) {
          s.setDefaultValue(f.defaultValue());
        }
        props.put(f.name(), s);
        if (f.required()) {
          required.add(f.name());
        }
        example.put(f.name(), exampleValue(f));
      }
      features.setProperties(props);
      features.setRequired(required);
      features.setExamples(List.of(example));
      features.setDescription(
          "Features of model \"" + card.name() + "\" version " + card.version() + ".");
    }
    Parameter name = openAPI.getComponents().getParameters().get("ModelName");
    if (name != null && name.getSchema() != null) {
      name.getSchema().setDefaultValue(card.name());
      name.setExample(card.name());
    }
  }

  private static Object exampleValue(FeatureSpec f) {
    return switch (f.type()) {
      case BOOLEAN -> Boolean.FALSE;
      case STRING -> f.defaultValue() == null ? "" : f.defaultValue();
      default -> {
        double lo = f.min() == null ? 0 : f.min();
        double hi = f.max() == null ? lo + 1 : f.max();
        double mid = (lo + hi) / 2;
        yield f.type().name().equals("INTEGER") ? (Object) Math.round(mid) : (Object) mid;
      }
    };
  }
}
