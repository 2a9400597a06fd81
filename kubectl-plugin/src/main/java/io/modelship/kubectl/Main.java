package io.modelship.kubectl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.modelship.operator.api.ModelDeployment;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** {@code kubectl modelship}: the entry point, and what each command does with the cluster. */
public final class Main {
  static final String USAGE =
      """
      kubectl modelship: see and drive ModelDeployment rollouts.

      Commands:
        list                      the ModelDeployments of the namespace (-A: of every namespace)
        status NAME [--watch]     revisions, pods ready, traffic, steps, analysis, last events;
                                  --watch redraws on every change (--timeout 5m to stop)
        history NAME              the latest rollouts: revision, model, outcome, traffic over time
        promote NAME              move past an open pause, promote a Canary or Shadow, switch a
                                  BlueGreen (modelship.io/action=promote)
        abort NAME                back to the stable revision; the candidate is rejected
        retry NAME                try a rejected revision again
        pause NAME | resume NAME  set or remove spec.paused
        set-weight NAME PERCENT   a Canary's share of traffic while it waits at a pause step

      Flags:
        -n, --namespace NS        (default: the kubeconfig context's namespace)
        -A, --all-namespaces      list only
        -o json                   machine-readable output
        --kubeconfig FILE, --context NAME
        -w, --watch, --timeout DURATION   status only

      Exit codes: 0 done, 1 cluster error, 2 usage, 3 not found, 4 forbidden by RBAC or bad
      credentials, 5 not allowed in the ModelDeployment's current state.
      """;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final PrintStream out;
  private final PrintStream err;
  private String server = "?";
  private String namespace = "?";

  Main(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] argv) {
    int code = new Main(System.out, System.err).run(argv, Main::connect).code;
    System.out.flush();
    System.exit(code);
  }

  /** Parses, connects with {@code connect}, runs one command: the exit code. */
  Exit run(String[] argv, Function<Args, KubernetesClient> connect) {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (Args.UsageException e) {
      err.println("error: " + e.getMessage());
      return Exit.USAGE;
    }
    if (args.help() || args.command().equals("help")) {
      out.print(USAGE);
      return Exit.OK;
    }
    if (args.command().equals("version")) {
      Package p = Main.class.getPackage();
      out.println(
          "kubectl-modelship "
              + (p.getImplementationVersion() == null ? "dev" : p.getImplementationVersion()));
      return Exit.OK;
    }
    try (KubernetesClient client = connect.apply(args)) {
      server = client.getMasterUrl() == null ? "?" : client.getMasterUrl().toString();
      namespace =
          args.namespace() != null
              ? args.namespace()
              : client.getNamespace() == null ? "default" : client.getNamespace();
      return command(args, new Cluster(client), namespace);
    } catch (Actions.Refused e) {
      err.println("error: " + e.getMessage());
      return Exit.REFUSED;
    } catch (KubernetesClientException e) {
      return apiError(e, args);
    } catch (UncheckedIOException | IllegalStateException e) {
      err.println("error: " + e.getMessage());
      return Exit.ERROR;
    }
  }

  private Exit command(Args a, Cluster cluster, String ns) throws Actions.Refused {
    switch (a.command()) {
      case "list" -> {
        List<ModelDeployment> mds = cluster.list(a.allNamespaces() ? null : ns);
        if (a.json()) {
          print(Views.listJson(mds));
        } else if (mds.isEmpty()) {
          err.println(
              "no ModelDeployment "
                  + (a.allNamespaces() ? "in any namespace" : "in namespace " + ns));
        } else {
          out.print(Views.list(mds, a.allNamespaces(), Instant.now()));
        }
        return Exit.OK;
      }
      case "status" -> {
        return a.watch() ? watch(a, cluster, ns) : status(a, cluster, ns);
      }
      case "history" -> {
        ModelDeployment md = require(cluster, ns, a.operands().get(0));
        if (md == null) {
          return Exit.NOT_FOUND;
        }
        if (a.json()) {
          print(
              md.getStatus() == null || md.getStatus().history == null
                  ? List.of()
                  : md.getStatus().history);
        } else {
          out.print(Views.history(md));
        }
        return Exit.OK;
      }
      default -> {
        return act(a, cluster, ns);
      }
    }
  }

  private Exit status(Args a, Cluster cluster, String ns) {
    ModelDeployment md = require(cluster, ns, a.operands().get(0));
    if (md == null) {
      return Exit.NOT_FOUND;
    }
    Snapshot snap = cluster.snapshot(md);
    if (a.json()) {
      print(Views.statusJson(snap));
    } else {
      out.print(Views.status(snap));
    }
    return Exit.OK;
  }

  /**
   * Reads once a second and prints the view each time it changes (ages aside), until the timeout,
   * an interrupt or the ModelDeployment's deletion. On a terminal the screen is redrawn; elsewhere
   * (a pipe, a file) each new view follows the last, after a line with the time.
   */
  private Exit watch(Args a, Cluster cluster, String ns) {
    String name = a.operands().get(0);
    Instant end = a.timeout() == null ? null : Instant.now().plus(a.timeout());
    boolean tty = System.console() != null && !a.json();
    String last = null;
    boolean seen = false;
    while (end == null || Instant.now().isBefore(end)) {
      ModelDeployment md = cluster.get(ns, name);
      if (md == null) {
        if (!seen) {
          notFound(ns, name);
          return Exit.NOT_FOUND;
        }
        out.println("modeldeployment \"" + name + "\" was deleted");
        return Exit.OK;
      }
      seen = true;
      Snapshot snap = cluster.snapshot(md);
      String view = a.json() ? json(Views.statusJson(snap)) : Views.status(snap);
      String key = a.json() ? view : Views.withoutAges(view);
      if (!key.equals(last)) {
        if (tty) {
          out.print("\033[H\033[2J");
        } else if (last != null) {
          out.println("--- " + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
        out.print(view);
        if (a.json()) {
          out.println();
        }
        out.flush();
        last = key;
      }
      try {
        Thread.sleep(Duration.ofSeconds(1).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Exit.OK;
      }
    }
    return Exit.OK;
  }

  private Exit act(Args a, Cluster cluster, String ns) throws Actions.Refused {
    String name = a.operands().get(0);
    ModelDeployment md = require(cluster, ns, name);
    if (md == null) {
      return Exit.NOT_FOUND;
    }
    Actions.Plan plan =
        Actions.plan(a.command(), md, a.operands().size() > 1 ? a.operands().get(1) : null);
    if (plan.patch() != null) {
      cluster.patch(ns, name, plan.patch());
    }
    if (a.json()) {
      print(
          Map.of(
              "name",
              name,
              "namespace",
              ns,
              "command",
              a.command(),
              "changed",
              plan.patch() != null,
              "message",
              plan.message()));
    } else {
      out.println(plan.message());
    }
    return Exit.OK;
  }

  private ModelDeployment require(Cluster cluster, String ns, String name) {
    ModelDeployment md = cluster.get(ns, name);
    if (md == null) {
      notFound(ns, name);
    }
    return md;
  }

  private void notFound(String ns, String name) {
    err.println("error: modeldeployment \"" + name + "\" not found in namespace \"" + ns + "\"");
  }

  private Exit apiError(KubernetesClientException e, Args a) {
    int code = e.getCode();
    String verb =
        switch (a.command()) {
          case "list", "status", "history" -> "read";
          default -> "patch";
        };
    String where = a.allNamespaces() ? "at the cluster scope" : "in namespace " + namespace;
    String reason = e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage();
    if (code == 403) {
      err.println(
          "error: forbidden: you may not "
              + verb
              + " modeldeployments "
              + where
              + " (RBAC). The API server said: "
              + reason);
      return Exit.FORBIDDEN;
    }
    if (code == 401) {
      err.println("error: unauthorized: the API server does not accept these credentials");
      return Exit.FORBIDDEN;
    }
    if (code == 404) {
      err.println(
          "error: the ModelDeployment API (modelship.io/v1alpha1) is not served by this cluster;"
              + " install the Modelship CRDs (helm/modelship). The API server said: "
              + reason);
      return Exit.NOT_FOUND;
    }
    if (code == 422 || code == 400) {
      err.println("error: the API server refused the change: " + reason);
      return Exit.REFUSED;
    }
    err.println(
        "error: "
            + (code > 0
                ? "the API server answered " + code + ": " + reason
                : "cannot reach the API server at "
                    + server
                    + ": "
                    + rootCause(e)
                    + " (is the kubeconfig right? KUBECONFIG, --kubeconfig, --context)"));
    return Exit.ERROR;
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private void print(Object value) {
    out.println(json(value));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client from the kubeconfig (KUBECONFIG, ~/.kube/config, or in-cluster), as kubectl does. */
  static KubernetesClient connect(Args a) {
    Config config;
    if (a.kubeconfig() != null) {
      try {
        config =
            Config.fromKubeconfig(
                a.context(), Files.readString(Path.of(a.kubeconfig())), a.kubeconfig());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read --kubeconfig " + a.kubeconfig(), e);
      }
    } else {
      config = Config.autoConfigure(a.context());
    }
    config.setRequestTimeout(30_000);
    // Over HTTP/2 the API server answers a token it does not accept by closing the connection
    // (GOAWAY), which the JDK client reports as a broken connection instead of a 401.
    config.setHttp2Disable(true);
    config.setRequestRetryBackoffLimit(1);
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
