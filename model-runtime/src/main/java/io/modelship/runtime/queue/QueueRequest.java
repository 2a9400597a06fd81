package io.modelship.runtime.queue;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelship.runtime.api.ApiException;
import io.modelship.runtime.api.RequestReader;
import io.modelship.runtime.http.Endpoint;
import io.modelship.runtime.model.FeatureBatch;

/**
 * A message read as a prediction request, with the same reader and the same checks as the HTTP API:
 * either valid (ready for the model) or refused with the error the HTTP API would answer.
 */
public sealed interface QueueRequest {

  Message message();

  /**
   * A request the model can take.
   *
   * @param rows the validated rows (readable and v1 forms), or {@code null} for v2
   * @param v2 the validated tensors (v2 form), or {@code null}
   */
  record Valid(
      Message message, Endpoint api, JsonNode root, FeatureBatch rows, RequestReader.V2Request v2)
      implements QueueRequest {}

  /** A request refused before the model saw it; it goes to the dead-letter topic. */
  record Invalid(Message message, ApiException error) implements QueueRequest {}

  /**
   * Reads a message: the {@code modelship-api} header says which API's body the value is ({@code
   * predict}, the readable form, when absent).
   */
  static QueueRequest read(RequestReader reader, long maxBodyBytes, Message m) {
    try {
      Endpoint api = api(m.header(QueueHeaders.API));
      byte[] body = m.value();
      if (body != null && body.length > maxBodyBytes) {
        throw new ApiException(
            413,
            "request body is larger than the limit of "
                + maxBodyBytes
                + " bytes; split the batch or raise --max-body-bytes");
      }
      JsonNode root = reader.parse(body);
      return switch (api) {
        case V2_INFER -> new Valid(m, api, root, null, reader.v2(root));
        case V1_PREDICT -> new Valid(m, api, root, reader.kserveV1(root), null);
        default -> new Valid(m, api, root, reader.readable(root), null);
      };
    } catch (ApiException e) {
      return new Invalid(m, e);
    }
  }

  /** The API a {@code modelship-api} header names. */
  static Endpoint api(String header) {
    if (header == null || header.isBlank() || header.strip().equals("predict")) {
      return Endpoint.PREDICT;
    }
    return switch (header.strip()) {
      case "v1" -> Endpoint.V1_PREDICT;
      case "v2" -> Endpoint.V2_INFER;
      default ->
          throw ApiException.field(
              400, QueueHeaders.API, "must be predict, v1 or v2 (got " + header.strip() + ")");
    };
  }
}
