package io.modelship.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Overload: more large requests than the worker queue takes. The surplus is answered at once with
 * 503, Retry-After and a JSON reason, instead of waiting in an unbounded queue; the rest are
 * answered normally, and the runtime serves normally afterwards.
 */
@QuarkusTest
@TestProfile(OverloadTest.SmallQueue.class)
class OverloadTest {
  public static class SmallQueue implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      // Every request goes to a worker thread, and two at most may wait or run there.
      return Map.of("modelship.inline-body-bytes", "1", "modelship.max-queued", "2");
    }
  }

  @TestHTTPResource("/models/iris/predict")
  URL predict;

  static String batch(int rows) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < rows; i++) {
      b.append(i == 0 ? "" : ",").append(PredictEndpointsTest.SETOSA);
    }
    return b.append("]").toString();
  }

  @Test
  void theSurplusGets503WithRetryAfterAtOnceAndTheRestIsServed() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String body = batch(4000);
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(predict.toString()))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      all.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
    }
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (CompletableFuture<HttpResponse<String>> f : all) {
      HttpResponse<String> r = f.get();
      statuses.merge(r.statusCode(), 1, Integer::sum);
      if (r.statusCode() == 503) {
        assertThat(r.headers().firstValue("Retry-After")).contains("1");
        assertThat(r.body())
            .contains(
                "overloaded: 2 large requests are already waiting for a worker thread; retry"
                    + " shortly");
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
    }
    System.out.println("OverloadTest: 64 concurrent requests of 4000 rows: " + statuses);
    assertThat(statuses).containsKeys(200, 503);

    // Nothing stays counted: the next request is served.
    assertThat(http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
  }
}
