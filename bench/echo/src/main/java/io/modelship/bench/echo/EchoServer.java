package io.modelship.bench.echo;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;

/**
 * The HTTP ceiling for the runtime benchmark: a bare Vert.x server that reads each POST body in
 * full and answers a fixed JSON document of the same size and shape as the runtime's Iris answer.
 * No parsing, no model: what is left is the cost of HTTP/1.1 keep-alive on Vert.x.
 *
 * <p>Any GET answers {@code {"status":"ok"}} (used as the health check).
 *
 * <p>Usage: {@code java -jar vertx-echo.jar [--port 8080] [--host 127.0.0.1]}. One event loop per
 * processor the JVM may use ({@link Runtime#availableProcessors()}, which follows taskset and
 * {@code -XX:ActiveProcessorCount}).
 */
public final class EchoServer extends AbstractVerticle {

  /** Same fields and about the same length as the runtime's answer for the setosa request. */
  static final Buffer PREDICTION =
      Buffer.buffer(
          "{\"label\":\"setosa\",\"probabilities\":{\"setosa\":0.9847031,"
              + "\"versicolor\":0.015296773,\"virginica\":6.2037756E-8},"
              + "\"model\":\"iris\",\"version\":\"1\"}");

  static final Buffer HEALTH = Buffer.buffer("{\"status\":\"ok\"}");
  static final String JSON = "application/json";

  private final String host;
  private final int port;

  EchoServer(String host, int port) {
    this.host = host;
    this.port = port;
  }

  @Override
  public void start(Promise<Void> started) {
    vertx
        .createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true))
        .requestHandler(
            req -> {
              if (req.method() == HttpMethod.GET) {
                req.response().putHeader("Content-Type", JSON).end(HEALTH);
                return;
              }
              req.body()
                  .onSuccess(
                      body -> req.response().putHeader("Content-Type", JSON).end(PREDICTION))
                  .onFailure(err -> req.response().setStatusCode(400).end());
            })
        .listen()
        .<Void>mapEmpty()
        .onComplete(started);
  }

  public static void main(String[] args) {
    String host = "127.0.0.1";
    int port = 8080;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--host" -> host = args[++i];
        default -> {
          System.err.println("usage: EchoServer [--port N] [--host ADDR]");
          System.exit(2);
        }
      }
    }
    int loops = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    String h = host;
    int p = port;
    vertx
        .deployVerticle(() -> new EchoServer(h, p), new DeploymentOptions().setInstances(loops))
        .onSuccess(id -> System.out.printf("echo listening on %s:%d, %d event loop(s)%n", h, p, loops))
        .onFailure(
            err -> {
              err.printStackTrace();
              System.exit(1);
            });
  }
}
