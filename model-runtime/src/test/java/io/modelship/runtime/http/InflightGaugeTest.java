package io.modelship.runtime.http;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code modelship_inflight_requests}, the per-pod gauge a HorizontalPodAutoscaler's Pods metric
 * reads: up while a prediction request is being received and answered, down once it is answered or
 * its client goes away.
 */
@QuarkusTest
class InflightGaugeTest {
  static final String SETOSA =
      "{\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,\"petal_width\":0.2}";
  static final Pattern GAUGE =
      Pattern.compile("(?m)^modelship_inflight_requests(\\{[^}]*\\})? ([0-9.eE+-]+)$");

  @TestHTTPResource("/")
  URL root;

  static double inflight() {
    String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
    Matcher m = GAUGE.matcher(text);
    assertThat(m.find()).as("modelship_inflight_requests in /q/metrics").isTrue();
    return Double.parseDouble(m.group(2));
  }

  /** Waits up to 10 s for the gauge to read {@code value}. */
  static void until(double value) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    double seen = inflight();
    while (seen != value && System.nanoTime() < end) {
      Thread.sleep(20);
      seen = inflight();
    }
    assertThat(seen).as("modelship_inflight_requests").isEqualTo(value);
  }

  /** A request whose headers are sent, and half of its body: it is in flight until the rest. */
  Socket halfSent(OutputStream[] out) throws Exception {
    Socket s = new Socket(root.getHost(), root.getPort());
    s.setSoTimeout(10_000);
    byte[] body = SETOSA.getBytes(StandardCharsets.UTF_8);
    OutputStream o = s.getOutputStream();
    o.write(
        ("POST /models/iris/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                + "\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    o.write(body, 0, body.length / 2);
    o.flush();
    out[0] = o;
    return s;
  }

  @Test
  void theGaugeCountsARequestWhileItIsInFlightAndNotAfter() throws Exception {
    until(0.0);
    byte[] body = SETOSA.getBytes(StandardCharsets.UTF_8);
    OutputStream[] out = new OutputStream[1];
    try (Socket s = halfSent(out)) {
      until(1.0);
      out[0].write(body, body.length / 2, body.length - body.length / 2);
      out[0].flush();
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(12);
      assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
      until(0.0);
    }
  }

  @Test
  void aClientThatGoesAwayMidRequestIsNoLongerCounted() throws Exception {
    until(0.0);
    OutputStream[] out = new OutputStream[1];
    Socket first = halfSent(out);
    try (Socket second = halfSent(new OutputStream[1])) {
      until(2.0);
      first.close();
      until(1.0);
    }
    until(0.0);
  }
}
