package io.modelship.runtime.http;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The warm-up on a server whose port was chosen at random (port 0), with batching on: it reaches
 * the server, the runtime turns ready after it, and its requests are not in the metrics.
 */
@QuarkusTest
@TestProfile(WarmupTest.WarmupOn.class)
class WarmupTest {

  public static class WarmupOn implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "modelship.warmup.requests", "12",
          "modelship.batching.max-batch-size", "4");
    }
  }

  @Inject ModelService service;
  @Inject Warmup warmup;

  @Test
  void readyAfterTwelveUncountedRequests() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!service.ready()) {
      assertThat(System.nanoTime()).as("ready within 30 s").isLessThan(deadline);
      Thread.sleep(20);
    }
    assertThat(warmup.answered()).isEqualTo(12);
    given().get("/q/health/ready").then().statusCode(200);
    String metrics = given().get("/q/metrics").then().extract().asString();
    assertThat(metrics)
        .doesNotContain("modelship_requests_total{")
        .doesNotContain("modelship_batch_size_rows_count{");
  }
}
