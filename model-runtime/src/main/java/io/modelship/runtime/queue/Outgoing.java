package io.modelship.runtime.queue;

import java.util.List;
import org.apache.kafka.common.header.Header;

/**
 * What to write for one request: its reply, or the request itself to the dead-letter topic.
 *
 * @param source the request this answers
 * @param deadLetter whether this goes to the dead-letter topic (else the reply topic)
 * @param value the reply's JSON, or the request's own value for a dead letter (so it can be sent
 *     again once fixed)
 * @param headers the request's headers, then the runtime's own ({@code modelship-*})
 */
public record Outgoing(Message source, boolean deadLetter, byte[] value, List<Header> headers) {}
