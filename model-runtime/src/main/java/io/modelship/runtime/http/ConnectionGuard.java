package io.modelship.runtime.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Watches the listening socket, in both modes: refuses connections beyond {@code
 * quarkus.http.limits.max-connections} as they are accepted, and puts a {@link ReadDeadlineHandler}
 * on every other one, so that a client trickling a request in (slowloris) loses its connection
 * instead of holding it for good; the idle timeout never fires while a byte a second arrives.
 *
 * <p>Refusing here, on the acceptor thread, costs a flood of surplus connections an accept and a
 * close each: they never reach the event loops that serve the other clients. (Quarkus enforces the
 * same limit too, but only after Vert.x has set each connection up on an event loop.)
 *
 * <p>Neither Quarkus nor Vert.x offers a hook on accepted connections (Quarkus owns the server's
 * connection handler), so the first request seen on a listening socket adds a handler to that
 * socket's Netty pipeline. Connections accepted before that first request go without read
 * deadlines; the idle timeout and Quarkus' connection limit still bound them, and a pod gets its
 * first request, a probe, before any traffic.
 */
@Singleton
public class ConnectionGuard {
  private static final Logger LOG = Logger.getLogger(ConnectionGuard.class);

  /** Names Vert.x gives the handlers of an HTTP/1.1 connection's pipeline. */
  private static final String VERTX_DECODER = "httpDecoder";

  private static final String VERTX_HANDLER = "handler";
  private static final String ACCEPTOR = "modelship-connection-guard";

  private final ReadTimeouts limits;
  private final ConnectionLimit connections;
  private final Counter refused;
  private final Map<ReadClock.Phase, Counter> timeouts = new EnumMap<>(ReadClock.Phase.class);
  private final Set<Channel> watched = ConcurrentHashMap.newKeySet();
  private final Acceptor acceptor = new Acceptor();

  @Inject
  ConnectionGuard(
      ClientLimits config,
      @ConfigProperty(name = "quarkus.http.limits.max-connections") OptionalInt maxConnections,
      MeterRegistry registry) {
    this.limits = new ReadTimeouts(config.headerTimeout(), config.bodyTimeout());
    this.connections =
        new ConnectionLimit(
            maxConnections.orElse(HeapDefaults.maxConnections(Runtime.getRuntime().maxMemory())));
    this.refused =
        Counter.builder("modelship.connections.refused")
            .description("Connections closed as soon as accepted, beyond the connection limit")
            .register(registry);
    Gauge.builder("modelship.connections.open", connections, ConnectionLimit::open)
        .description("Connections open, counted against the connection limit")
        .register(registry);
    for (ReadClock.Phase phase :
        new ReadClock.Phase[] {ReadClock.Phase.HEADERS, ReadClock.Phase.BODY}) {
      timeouts.put(
          phase,
          Counter.builder("modelship.read.timeouts")
              .description(
                  "Connections closed because the client sent a request's headers or body too"
                      + " slowly")
              .tag("phase", phase.name().toLowerCase())
              .register(registry));
    }
  }

  void watchEveryConnection(@Observes Filters filters) {
    filters.register(
        rc -> {
          watch(rc.request().connection());
          rc.next();
        },
        1000);
  }

  /** Equips the listening socket that accepted this connection, once. */
  void watch(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      return; // HTTP/2 streams and other transports: not ours to guard
    }
    Channel listener = base.channel().parent();
    if (listener != null && !watched.contains(listener) && watched.add(listener)) {
      listener.pipeline().addFirst(ACCEPTOR, acceptor);
      LOG.debugf(
          "guarding connections accepted by %s: at most %d, %s",
          listener.localAddress(), connections.max(), limits);
    }
  }

  /**
   * On a listening socket: closes an accepted connection at once when the limit is reached, else
   * gives it an {@link Installer}.
   */
  @ChannelHandler.Sharable
  private final class Acceptor extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel accepted) {
        if (!connections.tryOpen()) {
          refused.increment();
          accepted.unsafe().closeForcibly(); // not registered anywhere yet
          return;
        }
        accepted.closeFuture().addListener(closed -> connections.closed());
        accepted.pipeline().addFirst(new Installer());
      }
      ctx.fireChannelRead(msg);
    }
  }

  /**
   * On an accepted connection before Vert.x set it up: once it has, adds the deadline handler where
   * it sees decoded requests, between the decoder and Vert.x.
   */
  private final class Installer extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
      ChannelPipeline p = ctx.pipeline();
      if (p.get(VERTX_DECODER) != null && p.get(VERTX_HANDLER) != null) {
        p.addBefore(
            VERTX_HANDLER,
            ReadDeadlineHandler.NAME,
            new ReadDeadlineHandler(
                limits, System::nanoTime, phase -> timeouts.get(phase).increment()));
      } else {
        LOG.debugf(
            "no read deadlines on %s: not an HTTP/1.1 pipeline %s", ctx.channel(), p.names());
      }
      ctx.fireChannelRegistered();
      p.remove(this);
    }
  }
}
