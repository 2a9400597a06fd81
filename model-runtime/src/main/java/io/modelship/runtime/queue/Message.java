package io.modelship.runtime.queue;

import java.util.List;
import org.apache.kafka.common.header.Header;

/**
 * One request as it came off the request topic: where it was, and what it carried.
 *
 * @param value the request body, or {@code null} for a record without one (a tombstone)
 */
public record Message(
    String topic, int partition, long offset, byte[] key, byte[] value, List<Header> headers) {

  /** The value of the last header of this name, as UTF-8, or {@code null}. */
  public String header(String name) {
    String found = null;
    for (Header h : headers) {
      if (h.key().equals(name) && h.value() != null) {
        found = new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return found;
  }

  /** {@code topic-partition@offset}, for log lines. */
  public String where() {
    return topic + "-" + partition + "@" + offset;
  }
}
