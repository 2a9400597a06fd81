package io.modelship.runtime.scoring;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a file line by line as bytes, with a bound on a line's length so that memory never depends
 * on the input, and counts the bytes consumed for the progress percentage.
 */
final class LineReader implements Closeable {

  /** One line without its line break. */
  record Line(long number, byte[] bytes, int length, boolean tooLong) {

    /** The line as text, or {@code null} when it is not valid UTF-8. */
    String text() {
      CharsetDecoder strict =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT);
      try {
        CharBuffer c = strict.decode(ByteBuffer.wrap(bytes, 0, length));
        return c.toString();
      } catch (CharacterCodingException e) {
        return null;
      }
    }

    /** The line as text with invalid bytes replaced, for the rejects file. */
    String lenientText() {
      return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    boolean isBlank() {
      for (int i = 0; i < length; i++) {
        byte b = bytes[i];
        if (b != ' ' && b != '\t') {
          return false;
        }
      }
      return true;
    }
  }

  private final InputStream in;
  private final int maxBytes;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int end;
  private long consumed;
  private long number;
  private byte[] line = new byte[256];

  LineReader(InputStream in, int maxBytes) {
    this.in = in;
    this.maxBytes = maxBytes;
  }

  /** Bytes of the input consumed up to the end of the last line returned. */
  long bytesRead() {
    return consumed;
  }

  /** The next line, or {@code null} at the end of the input. */
  Line next() throws IOException {
    int length = 0;
    boolean tooLong = false;
    boolean any = false;
    while (true) {
      if (pos == end) {
        int n = in.read(buf);
        if (n < 0) {
          if (!any) {
            return null;
          }
          break;
        }
        pos = 0;
        end = n;
      }
      any = true;
      int nl = -1;
      for (int i = pos; i < end; i++) {
        if (buf[i] == '\n') {
          nl = i;
          break;
        }
      }
      int stop = nl < 0 ? end : nl;
      int count = stop - pos;
      if (!tooLong) {
        if (length + count > maxBytes) {
          int keep = maxBytes - length;
          append(pos, keep, length);
          length += keep;
          tooLong = true;
        } else {
          append(pos, count, length);
          length += count;
        }
      }
      consumed += count + (nl < 0 ? 0 : 1);
      pos = nl < 0 ? end : nl + 1;
      if (nl >= 0) {
        break;
      }
    }
    number++;
    if (!tooLong && length > 0 && line[length - 1] == '\r') {
      length--;
    }
    return new Line(number, Arrays.copyOf(line, length), length, tooLong);
  }

  private void append(int from, int count, int at) {
    if (at + count > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, at + count));
    }
    System.arraycopy(buf, from, line, at, count);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
