package io.modelship.runtime.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The accepted API keys. Keys are kept only as SHA-256 digests and compared in constant time over
 * all of them, so neither a key's content nor its length leaks through timing.
 */
public final class ApiKeys {
  private final List<byte[]> digests;

  private ApiKeys(List<byte[]> digests) {
    this.digests = List.copyOf(digests);
  }

  /**
   * Reads one key per line; blank lines and lines starting with {@code #} are ignored.
   *
   * @throws IllegalArgumentException naming the file when it is unreadable or holds no key
   */
  public static ApiKeys read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read API keys file: " + e.getMessage());
    }
    return of(lines, file.toString());
  }

  static ApiKeys of(List<String> lines, String source) {
    List<byte[]> digests = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String key = lines.get(i).strip();
      if (key.isEmpty() || key.startsWith("#")) {
        continue;
      }
      if (key.length() < 16) {
        throw new IllegalArgumentException(
            source + ":" + (i + 1) + ": API key is shorter than 16 characters; use a random one");
      }
      digests.add(digest(key));
    }
    if (digests.isEmpty()) {
      throw new IllegalArgumentException(source + ": API keys file holds no key");
    }
    return new ApiKeys(digests);
  }

  /** True when {@code presented} is one of the keys. */
  public boolean accepts(String presented) {
    if (presented == null) {
      return false;
    }
    byte[] d = digest(presented);
    boolean match = false;
    for (byte[] k : digests) {
      match |= MessageDigest.isEqual(k, d);
    }
    return match;
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
