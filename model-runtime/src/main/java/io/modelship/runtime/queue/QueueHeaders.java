package io.modelship.runtime.queue;

import io.modelship.runtime.api.ApiException;
import io.modelship.runtime.api.ResponseWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The headers the runtime adds to what it writes. A request's own headers (a correlation id, a
 * trace context) are copied first, so a consumer of the reply or dead-letter topic finds them as it
 * set them.
 */
public final class QueueHeaders {
  /** Which API's body the value is: {@code predict} (default), {@code v1} or {@code v2}. */
  public static final String API = "modelship-api";

  public static final String MODEL = "modelship-model";
  public static final String REVISION = "modelship-revision";

  /** The HTTP status the same request would have been answered with (400, 413, 422, 500). */
  public static final String ERROR_STATUS = "modelship-error-status";

  /** The HTTP API's error text for the same request. */
  public static final String ERROR = "modelship-error";

  /** The HTTP API's whole error body, with every violation and its field. */
  public static final String ERROR_BODY = "modelship-error-body";

  public static final String SOURCE_TOPIC = "modelship-source-topic";
  public static final String SOURCE_PARTITION = "modelship-source-partition";
  public static final String SOURCE_OFFSET = "modelship-source-offset";

  private QueueHeaders() {}

  /** A reply's headers: the request's, then which model and revision answered. */
  public static List<Header> reply(Message m, String model, String revision) {
    List<Header> h = new ArrayList<>(m.headers());
    h.add(header(MODEL, model));
    h.add(header(REVISION, revision));
    return h;
  }

  /** A dead letter's headers: the request's, then why it was refused and where it came from. */
  public static List<Header> deadLetter(Message m, ApiException e) {
    List<Header> h = new ArrayList<>(m.headers());
    h.add(header(ERROR_STATUS, Integer.toString(e.status())));
    h.add(header(ERROR, e.getMessage()));
    h.add(
        new RecordHeader(
            ERROR_BODY, ResponseWriter.error(e.status(), e.getMessage(), e.violations())));
    h.add(header(SOURCE_TOPIC, m.topic()));
    h.add(header(SOURCE_PARTITION, Integer.toString(m.partition())));
    h.add(header(SOURCE_OFFSET, Long.toString(m.offset())));
    return h;
  }

  static Header header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
