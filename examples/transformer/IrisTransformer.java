import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * An example pre-processing container for Modelship: clients send Iris measurements in millimetres
 * ({@code "petal_length_mm": 51}) or inches ({@code "petal_length_in": 2.0}); it converts them into
 * the centimetres the model was trained on and forwards the request to the model runtime in the
 * same pod. Everything else (health, metadata, Open Inference Protocol v2) passes through as it is.
 *
 * <p>One file, JDK only (com.sun.net.httpserver, java.net.http): {@code javac IrisTransformer.java}
 * and run {@code java -cp . IrisTransformer}. Environment: {@code MODELSHIP_PREDICTOR_URL} (the
 * runtime, set by the operator), {@code MODELSHIP_TRANSFORMER_PORT} (where to listen, default 8080)
 * and {@code MODELSHIP_TRANSFORMER_HOST} (default 0.0.0.0).
 */
public final class IrisTransformer {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private static final List<String> FORWARDED_REQUEST_HEADERS =
      List.of("content-type", "authorization", "x-api-key", "accept");

  private final URI predictor;

  IrisTransformer(URI predictor) {
    this.predictor = predictor;
  }

  public static void main(String[] args) throws IOException {
    String url = env("MODELSHIP_PREDICTOR_URL", "http://127.0.0.1:8081");
    int port = Integer.parseInt(env("MODELSHIP_TRANSFORMER_PORT", "8080"));
    String host = env("MODELSHIP_TRANSFORMER_HOST", "0.0.0.0");
    IrisTransformer t = new IrisTransformer(URI.create(url));
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 128);
    server.createContext("/", t::handle);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(2)));
    System.out.println("iris-transformer listening on " + host + ":" + port + ", model at " + url);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      if (path.equals("/healthz")) {
        reply(ex, 200, "text/plain", "ok\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      byte[] body = ex.getRequestBody().readAllBytes();
      boolean readable = path.matches("/models/[^/]+/predict");
      boolean v1 = path.matches("/v1/models/[^/]+:predict");
      if ("POST".equals(ex.getRequestMethod()) && (readable || v1)) {
        try {
          Object json = new Json(new String(body, StandardCharsets.UTF_8)).parse();
          json = v1 ? toCentimetresV1(json) : toCentimetres(json);
          body = Json.write(json).getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          reply(ex, 400, "application/json", error(e.getMessage()));
          return;
        }
      }
      forward(ex, body);
    } catch (IOException | RuntimeException e) {
      reply(ex, 502, "application/json", error("transformer: " + e));
    }
  }

  /** A readable body: one object of features, or a list of them. */
  static Object toCentimetres(Object json) {
    if (json instanceof List<?> rows) {
      List<Object> out = new ArrayList<>();
      rows.forEach(r -> out.add(toCentimetres(r)));
      return out;
    }
    if (json instanceof Map<?, ?> row) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : row.entrySet()) {
        String key = (String) e.getKey();
        Object value = e.getValue();
        double factor = key.endsWith("_mm") ? 0.1 : key.endsWith("_in") ? 2.54 : 0;
        if (factor != 0 && value instanceof BigDecimal d) {
          key = key.substring(0, key.length() - 3);
          value = d.multiply(BigDecimal.valueOf(factor));
        } else if (factor != 0) {
          throw new IllegalArgumentException(key + ": must be a number");
        }
        if (out.put(key, value) != null) {
          throw new IllegalArgumentException(key + ": given twice, in different units");
        }
      }
      return out;
    }
    return json; // not ours to judge: the runtime answers with what is wrong
  }

  /** KServe v1: {"instances": [...]}, each instance an object (converted) or a list (as is). */
  static Object toCentimetresV1(Object json) {
    if (json instanceof Map<?, ?> m && m.get("instances") instanceof List<?> rows) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put((String) k, v));
      out.put("instances", toCentimetres(rows));
      return out;
    }
    return json;
  }

  private void forward(HttpExchange ex, byte[] body) throws IOException {
    URI target = predictor.resolve(ex.getRequestURI().getRawPath()
        + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
    HttpRequest.Builder req =
        HttpRequest.newBuilder(target)
            .timeout(Duration.ofSeconds(30))
            .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    for (String h : FORWARDED_REQUEST_HEADERS) {
      String v = ex.getRequestHeaders().getFirst(h);
      if (v != null) {
        req.header(h, v);
      }
    }
    HttpResponse<byte[]> res;
    try {
      res = CLIENT.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    res.headers()
        .map()
        .forEach(
            (name, values) -> {
              if (name.startsWith("x-modelship-") || name.equals("www-authenticate")) {
                values.forEach(v -> ex.getResponseHeaders().add(name, v));
              }
            });
    reply(
        ex,
        res.statusCode(),
        res.headers().firstValue("content-type").orElse("application/json"),
        res.body());
  }

  private static void reply(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("content-type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static byte[] error(String message) {
    return ("{\"error\":" + Json.write(message) + "}").getBytes(StandardCharsets.UTF_8);
  }

  /** Just enough JSON: objects, lists, strings, numbers (as BigDecimal), booleans and null. */
  static final class Json {
    private final String s;
    private int i;

    Json(String s) {
      this.s = s;
    }

    Object parse() {
      Object v = value(0);
      skip();
      if (i != s.length()) {
        throw fail("unexpected text after the JSON value");
      }
      return v;
    }

    private Object value(int depth) {
      if (depth > 32) {
        throw fail("nested too deeply");
      }
      skip();
      if (i >= s.length()) {
        throw fail("unexpected end of input");
      }
      char c = s.charAt(i);
      switch (c) {
        case '{' -> {
          i++;
          Map<String, Object> m = new LinkedHashMap<>();
          skip();
          if (peek('}')) {
            return m;
          }
          do {
            skip();
            if (i >= s.length() || s.charAt(i) != '"') {
              throw fail("expected a field name");
            }
            String k = string();
            skip();
            expect(':');
            m.put(k, value(depth + 1));
            skip();
          } while (peek(','));
          expect('}');
          return m;
        }
        case '[' -> {
          i++;
          List<Object> l = new ArrayList<>();
          skip();
          if (peek(']')) {
            return l;
          }
          do {
            l.add(value(depth + 1));
            skip();
          } while (peek(','));
          expect(']');
          return l;
        }
        case '"' -> {
          return string();
        }
        default -> {
          if (s.startsWith("true", i)) {
            i += 4;
            return Boolean.TRUE;
          }
          if (s.startsWith("false", i)) {
            i += 5;
            return Boolean.FALSE;
          }
          if (s.startsWith("null", i)) {
            i += 4;
            return null;
          }
          int start = i;
          while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
            i++;
          }
          try {
            return new BigDecimal(s.substring(start, i));
          } catch (NumberFormatException e) {
            throw fail("not a JSON value");
          }
        }
      }
    }

    private String string() {
      StringBuilder b = new StringBuilder();
      i++; // opening quote
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          if (i >= s.length()) {
            break;
          }
          char e = s.charAt(i++);
          switch (e) {
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> {
              if (i + 4 > s.length()) {
                throw fail("bad \\u escape");
              }
              b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
            }
            default -> b.append(e);
          }
        } else {
          b.append(c);
        }
      }
      throw fail("unterminated string");
    }

    private void skip() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private boolean peek(char c) {
      if (i < s.length() && s.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw fail("expected '" + c + "'");
      }
    }

    private IllegalArgumentException fail(String what) {
      return new IllegalArgumentException("malformed JSON at character " + i + ": " + what);
    }

    static String write(Object v) {
      StringBuilder b = new StringBuilder();
      write(v, b);
      return b.toString();
    }

    private static void write(Object v, StringBuilder b) {
      if (v == null) {
        b.append("null");
      } else if (v instanceof String str) {
        b.append('"');
        for (char c : str.toCharArray()) {
          switch (c) {
            case '"' -> b.append("\\\"");
            case '\\' -> b.append("\\\\");
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\t' -> b.append("\\t");
            default -> {
              if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
              } else {
                b.append(c);
              }
            }
          }
        }
        b.append('"');
      } else if (v instanceof BigDecimal d) {
        b.append(d.stripTrailingZeros().toPlainString());
      } else if (v instanceof Map<?, ?> m) {
        b.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          b.append(first ? "" : ",");
          first = false;
          write(e.getKey(), b);
          b.append(':');
          write(e.getValue(), b);
        }
        b.append('}');
      } else if (v instanceof List<?> l) {
        b.append('[');
        for (int k = 0; k < l.size(); k++) {
          b.append(k > 0 ? "," : "");
          write(l.get(k), b);
        }
        b.append(']');
      } else {
        b.append(v); // Boolean
      }
    }
  }
}
