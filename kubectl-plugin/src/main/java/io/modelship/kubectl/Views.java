package io.modelship.kubectl;

import io.fabric8.kubernetes.api.model.Condition;
import io.modelship.operator.api.AnalysisSpec;
import io.modelship.operator.api.AnalysisStatus;
import io.modelship.operator.api.CanaryStep;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.RolloutRecord;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.api.TrafficPoint;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the commands print: text for people, maps (printed as JSON) for scripts. Pure: everything
 * comes from a ModelDeployment as read, its Deployments and Events, and the clock.
 */
public final class Views {
  private static final int BAR = 20;

  private Views() {}

  // ---------------------------------------------------------------- list

  public static String list(List<ModelDeployment> mds, boolean withNamespace, Instant now) {
    List<List<String>> rows = new ArrayList<>();
    List<String> header = new ArrayList<>();
    if (withNamespace) {
      header.add("NAMESPACE");
    }
    header.addAll(
        List.of("NAME", "STRATEGY", "PHASE", "STABLE", "CANDIDATE", "TRAFFIC", "READY", "AGE"));
    rows.add(header);
    for (ModelDeployment md : mds) {
      ModelDeploymentStatus s = status(md);
      List<String> row = new ArrayList<>();
      if (withNamespace) {
        row.add(md.getMetadata().getNamespace());
      }
      row.add(md.getMetadata().getName());
      row.add(strategy(md.getSpec()).name());
      row.add(s.phase == null ? "-" : s.phase.name());
      row.add(dash(s.stableRevision));
      row.add(dash(s.candidateRevision));
      row.add(split(s));
      row.add(s.replicas == null ? "-" : nz(s.readyReplicas) + "/" + s.replicas);
      row.add(age(md.getMetadata().getCreationTimestamp(), now));
      rows.add(row);
    }
    return table(rows);
  }

  public static List<Map<String, Object>> listJson(List<ModelDeployment> mds) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ModelDeployment md : mds) {
      ModelDeploymentStatus s = status(md);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("namespace", md.getMetadata().getNamespace());
      m.put("name", md.getMetadata().getName());
      m.put("strategy", strategy(md.getSpec()).name());
      m.put("phase", s.phase == null ? null : s.phase.name());
      m.put("stableRevision", s.stableRevision);
      m.put("candidateRevision", s.candidateRevision);
      m.put("traffic", s.traffic);
      m.put("replicas", s.replicas);
      m.put("readyReplicas", s.readyReplicas);
      out.add(m);
    }
    return out;
  }

  // ---------------------------------------------------------------- status

  public static String status(Snapshot snap) {
    ModelDeployment md = snap.md();
    ModelDeploymentSpec spec = md.getSpec();
    ModelDeploymentStatus s = status(md);
    StringBuilder b = new StringBuilder();
    line(b, "Name", md.getMetadata().getNamespace() + "/" + md.getMetadata().getName());
    line(b, "Model", model(spec) + (s.candidateRevision != null ? " (rolling out)" : ""));
    line(
        b,
        "Strategy",
        strategy(spec).name()
            + (spec.traffic != null && spec.traffic.provider != null
                ? " (traffic: " + spec.traffic.provider + ")"
                : "")
            + (Boolean.TRUE.equals(spec.paused) ? "  [paused by spec.paused]" : ""));
    line(b, "Phase", (s.phase == null ? "-" : s.phase.name()) + phaseMessage(s));
    if (s.traffic != null) {
      line(b, "Traffic", trafficBar(s));
    }
    List<Map<String, Object>> steps = steps(spec, s);
    if (!steps.isEmpty()) {
      b.append("Steps:\n");
      for (Map<String, Object> st : steps) {
        String mark =
            switch ((String) st.get("state")) {
              case "done" -> "✔";
              case "current" -> "►";
              default -> "·";
            };
        b.append("  ")
            .append(mark)
            .append(' ')
            .append(st.get("index"))
            .append(". ")
            .append(st.get("step"))
            .append('\n');
      }
    }
    List<Map<String, Object>> gates = gates(spec.analysis, s.analysis);
    if (!gates.isEmpty()) {
      b.append("Analysis:")
          .append(
              s.analysis == null || s.analysis.evaluatedAt == null
                  ? " (not evaluated yet)"
                  : " (evaluated " + age(s.analysis.evaluatedAt, snap.now()) + " ago)")
          .append('\n');
      List<List<String>> rows = new ArrayList<>();
      for (Map<String, Object> g : gates) {
        rows.add(
            List.of(
                "  " + g.get("gate"),
                (String) g.get("value"),
                (String) g.get("limit"),
                (String) g.get("verdict")));
      }
      b.append(table(rows));
    }
    b.append("Revisions:\n");
    List<List<String>> rows = new ArrayList<>();
    for (Snapshot.Workload w : snap.workloads()) {
      rows.add(
          List.of(
              "  " + (w.revision() == null ? "router" : w.revision()),
              modelOf(w.revision(), s),
              role(w, s),
              w.ready() + "/" + w.replicas() + " ready",
              weightOf(w, s)));
    }
    if (rows.isEmpty()) {
      b.append("  (no Deployment yet)\n");
    } else {
      b.append(table(rows));
    }
    if (s.conditions != null && !s.conditions.isEmpty()) {
      StringBuilder cs = new StringBuilder();
      for (Condition c : s.conditions) {
        if (List.of("Ready", "Progressing", "Available", "Degraded").contains(c.getType())) {
          cs.append(cs.length() == 0 ? "" : "  ")
              .append(c.getType())
              .append('=')
              .append(c.getStatus())
              .append(c.getReason() == null ? "" : "(" + c.getReason() + ")");
        }
      }
      line(b, "Conditions", cs.toString());
      Condition degraded = condition(s, "Degraded");
      if (degraded != null
          && "True".equals(degraded.getStatus())
          && degraded.getMessage() != null
          && !degraded.getMessage().isEmpty()) {
        line(b, "Degraded", oneLine(degraded.getMessage(), 200));
      }
    }
    b.append("Events:\n");
    if (snap.events().isEmpty()) {
      b.append("  (none)\n");
    } else {
      List<List<String>> ev = new ArrayList<>();
      for (Snapshot.EventLine e : snap.events()) {
        ev.add(
            List.of(
                "  " + (e.at() == null ? "-" : age(e.at(), snap.now())),
                e.type(),
                e.reason(),
                oneLine(e.message(), 110) + (e.count() > 1 ? " (x" + e.count() + ")" : "")));
      }
      b.append(table(ev));
    }
    return b.toString();
  }

  public static Map<String, Object> statusJson(Snapshot snap) {
    ModelDeployment md = snap.md();
    ModelDeploymentStatus s = status(md);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("namespace", md.getMetadata().getNamespace());
    m.put("name", md.getMetadata().getName());
    m.put("model", model(md.getSpec()));
    m.put("strategy", strategy(md.getSpec()).name());
    m.put("paused", Boolean.TRUE.equals(md.getSpec().paused));
    m.put("phase", s.phase == null ? null : s.phase.name());
    Condition progressing = condition(s, "Progressing");
    m.put("message", progressing == null ? null : progressing.getMessage());
    m.put("stableRevision", s.stableRevision);
    m.put("candidateRevision", s.candidateRevision);
    m.put("rejectedRevision", s.rejectedRevision);
    m.put("traffic", s.traffic);
    m.put("manualWeight", s.manualWeight);
    m.put("currentStep", s.currentStep);
    m.put("steps", steps(md.getSpec(), s));
    m.put("analysis", gates(md.getSpec().analysis, s.analysis));
    List<Map<String, Object>> revs = new ArrayList<>();
    for (Snapshot.Workload w : snap.workloads()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("deployment", w.name());
      r.put("revision", w.revision());
      r.put("role", role(w, s));
      r.put("replicas", w.replicas());
      r.put("readyReplicas", w.ready());
      revs.add(r);
    }
    m.put("revisions", revs);
    m.put("conditions", s.conditions);
    List<Map<String, Object>> evs = new ArrayList<>();
    for (Snapshot.EventLine e : snap.events()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("at", e.at() == null ? null : e.at().toString());
      r.put("type", e.type());
      r.put("reason", e.reason());
      r.put("message", e.message());
      r.put("count", e.count());
      evs.add(r);
    }
    m.put("events", evs);
    return m;
  }

  // ---------------------------------------------------------------- history

  public static String history(ModelDeployment md) {
    List<RolloutRecord> h = status(md).history;
    if (h == null || h.isEmpty()) {
      return "no rollout recorded yet in the status.history of "
          + md.getMetadata().getName()
          + "\n";
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(
        List.of(
            "REVISION", "MODEL", "STRATEGY", "STARTED", "TOOK", "OUTCOME", "TRAFFIC", "REASON"));
    for (RolloutRecord r : h) {
      rows.add(
          List.of(
              dash(r.revision),
              dash(r.model),
              dash(r.strategy),
              dash(r.startedAt),
              took(r.startedAt, r.finishedAt),
              r.outcome == null ? "InProgress" : r.outcome,
              points(r.traffic),
              oneLine(r.reason == null ? "" : r.reason, 80)));
    }
    return table(rows);
  }

  // ---------------------------------------------------------------- parts

  static String trafficBar(ModelDeploymentStatus s) {
    int candidate = nz(s.traffic.candidate);
    int stable = s.traffic.stable == null ? 100 - candidate : s.traffic.stable;
    int filled = Math.round(stable * BAR / 100f);
    StringBuilder b = new StringBuilder("[");
    b.append("█".repeat(filled)).append("░".repeat(BAR - filled)).append("] ");
    b.append("stable ").append(stable).append(" %");
    if (s.candidateRevision != null || candidate > 0) {
      b.append(" · candidate ").append(candidate).append(" %");
      if (s.manualWeight != null) {
        b.append(" (set by hand: ").append(s.manualWeight).append(" %)");
      }
    }
    if (s.traffic.mirrored != null && s.traffic.mirrored > 0) {
      b.append(" · mirrored to candidate ").append(s.traffic.mirrored).append(" %");
    }
    return b.toString();
  }

  /** The steps of the strategy, each done, current or to come. */
  static List<Map<String, Object>> steps(ModelDeploymentSpec spec, ModelDeploymentStatus s) {
    List<Map<String, Object>> out = new ArrayList<>();
    StrategyType type = strategy(spec);
    boolean rollout = s.candidateRevision != null;
    if (type == StrategyType.Canary
        && spec.strategy.canary != null
        && spec.strategy.canary.steps != null) {
      List<CanaryStep> steps = spec.strategy.canary.steps;
      for (int i = 0; i < steps.size(); i++) {
        String state;
        if (!rollout || s.currentStep == null) {
          state = "pending";
        } else if (i < s.currentStep) {
          state = "done";
        } else if (i == s.currentStep) {
          state = "current";
        } else {
          state = "pending";
        }
        out.add(step(i + 1, describe(steps.get(i)), state));
      }
    } else if (type == StrategyType.BlueGreen) {
      var bg = spec.strategy.blueGreen;
      boolean auto = bg != null && bg.autoPromotionSeconds != null && bg.autoPromotionSeconds > 0;
      boolean retiring = s.scaleDownAt != null;
      out.add(
          step(
              1,
              "preview: the candidate at full size, no client traffic",
              rollout ? "current" : retiring ? "done" : "pending"));
      out.add(
          step(
              2,
              auto
                  ? "switch after " + bg.autoPromotionSeconds + " s if the gates pass"
                  : "switch on promote (modelship.io/action=promote)",
              retiring ? "done" : "pending"));
      out.add(
          step(
              3,
              "previous revision kept until "
                  + (retiring ? s.scaleDownAt : "the scale-down delay ends"),
              retiring ? "current" : "pending"));
    } else if (type == StrategyType.Shadow) {
      var sh = spec.strategy.shadow;
      out.add(
          step(
              1,
              "mirror "
                  + (sh == null || sh.mirrorPercent == null ? 100 : sh.mirrorPercent)
                  + " % of requests for "
                  + (sh == null || sh.duration == null ? "5m" : sh.duration)
                  + ", answers from the stable revision",
              rollout ? "current" : "pending"));
      out.add(step(2, "promote if the gates pass", "pending"));
    }
    return out;
  }

  private static Map<String, Object> step(int index, String text, String state) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("index", index);
    m.put("step", text);
    m.put("state", state);
    return m;
  }

  static String describe(CanaryStep st) {
    if (st.setWeight != null) {
      return "setWeight " + st.setWeight;
    }
    if (st.pause != null) {
      return st.pause.duration == null ? "pause (until promoted)" : "pause " + st.pause.duration;
    }
    if (st.analysis != null) {
      return st.analysis.duration == null ? "analysis" : "analysis " + st.analysis.duration;
    }
    return "?";
  }

  /** Each configured gate: its latest figure, its limit and whether it passes. */
  static List<Map<String, Object>> gates(AnalysisSpec spec, AnalysisStatus st) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (spec == null) {
      return out;
    }
    AnalysisStatus f = st == null ? new AnalysisStatus() : st;
    long min = spec.minSamples == null ? 100 : spec.minSamples;
    out.add(
        gate(
            "samples",
            f.samples == null ? null : String.valueOf(f.samples),
            ">= " + min,
            f.samples == null ? null : f.samples >= min));
    if (spec.maxErrorRate != null) {
      out.add(
          gate(
              "error rate",
              f.errorRate == null ? null : percent(f.errorRate),
              "<= " + percent(spec.maxErrorRate),
              f.errorRate == null ? null : f.errorRate <= spec.maxErrorRate));
    }
    if (spec.maxLatencyP99Ms != null) {
      out.add(
          gate(
              "p99 latency",
              f.latencyP99Ms == null ? null : number(f.latencyP99Ms) + " ms",
              "<= " + number(spec.maxLatencyP99Ms) + " ms",
              f.latencyP99Ms == null ? null : f.latencyP99Ms <= spec.maxLatencyP99Ms));
    }
    if (spec.minAgreement != null) {
      out.add(
          gate(
              "agreement",
              f.agreement == null ? null : percent(f.agreement),
              ">= " + percent(spec.minAgreement),
              f.agreement == null ? null : f.agreement >= spec.minAgreement));
    }
    if (spec.maxLabelShift != null) {
      out.add(
          gate(
              "label shift",
              f.labelShift == null ? null : number(f.labelShift),
              "<= " + number(spec.maxLabelShift),
              f.labelShift == null ? null : f.labelShift <= spec.maxLabelShift));
    }
    int limit = spec.failureLimit == null ? 0 : spec.failureLimit;
    out.add(
        gate(
            "failed evaluations",
            String.valueOf(nz(f.failures)),
            "<= " + limit,
            nz(f.failures) <= limit));
    return out;
  }

  private static Map<String, Object> gate(String name, String value, String limit, Boolean passes) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("gate", name);
    m.put("value", value == null ? "-" : value);
    m.put("limit", limit);
    m.put("verdict", passes == null ? "no data" : passes ? "pass" : "FAIL");
    return m;
  }

  /** The model a revision serves, as status.history recorded it when it was rolled out. */
  static String modelOf(String revision, ModelDeploymentStatus s) {
    if (revision == null || s.history == null) {
      return "";
    }
    String model = "";
    for (RolloutRecord r : s.history) {
      if (revision.equals(r.revision) && r.model != null) {
        model = r.model;
      }
    }
    return model;
  }

  static String role(Snapshot.Workload w, ModelDeploymentStatus s) {
    if (w.revision() == null) {
      return "router";
    }
    if (w.revision().equals(s.stableRevision)) {
      return "stable";
    }
    if (w.revision().equals(s.candidateRevision)) {
      return "candidate";
    }
    if (w.revision().equals(s.rejectedRevision)) {
      return "rejected";
    }
    return "retiring";
  }

  private static String weightOf(Snapshot.Workload w, ModelDeploymentStatus s) {
    if (s.traffic == null || w.revision() == null) {
      return "";
    }
    if (w.revision().equals(s.stableRevision)) {
      return nz(s.traffic.stable) + " % of traffic";
    }
    if (w.revision().equals(s.candidateRevision)) {
      String t = nz(s.traffic.candidate) + " % of traffic";
      return s.traffic.mirrored != null && s.traffic.mirrored > 0
          ? t + ", " + s.traffic.mirrored + " % mirrored"
          : t;
    }
    return "";
  }

  private static String phaseMessage(ModelDeploymentStatus s) {
    Condition c = condition(s, "Progressing");
    if (c != null && "True".equals(c.getStatus()) && c.getMessage() != null) {
      return "  " + oneLine(c.getMessage(), 160);
    }
    return "";
  }

  static String split(ModelDeploymentStatus s) {
    if (s.traffic == null) {
      return "-";
    }
    if (s.candidateRevision == null) {
      return nz(s.traffic.stable) + "";
    }
    String t = nz(s.traffic.stable) + "/" + nz(s.traffic.candidate);
    return s.traffic.mirrored != null && s.traffic.mirrored > 0
        ? t + " +" + s.traffic.mirrored + "% mirrored"
        : t;
  }

  private static String points(List<TrafficPoint> ps) {
    if (ps == null || ps.isEmpty()) {
      return "-";
    }
    // Consecutive points of the same share (a step that did not move the traffic) read as one.
    List<String> w = new ArrayList<>();
    for (TrafficPoint p : ps) {
      String v = String.valueOf(p.weight);
      if (w.isEmpty() || !w.get(w.size() - 1).equals(v)) {
        w.add(v);
      }
    }
    return String.join("→", w);
  }

  static String model(ModelDeploymentSpec spec) {
    if (spec.model == null || spec.model.name == null) {
      return "-";
    }
    return spec.model.version == null
        ? spec.model.name
        : spec.model.name + ":" + spec.model.version;
  }

  static StrategyType strategy(ModelDeploymentSpec spec) {
    return spec.strategy == null || spec.strategy.type == null
        ? StrategyType.RollingUpdate
        : spec.strategy.type;
  }

  private static ModelDeploymentStatus status(ModelDeployment md) {
    return md.getStatus() == null ? new ModelDeploymentStatus() : md.getStatus();
  }

  private static Condition condition(ModelDeploymentStatus s, String type) {
    if (s.conditions == null) {
      return null;
    }
    return s.conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  /**
   * The status view without what changes with the clock alone (the events' ages, when the analysis
   * was evaluated): what {@code --watch} compares to decide whether to print again.
   */
  static String withoutAges(String statusView) {
    return statusView
        .replaceAll("(?m)^(  )?\\d+[smhd] ", "")
        .replaceAll("\\(evaluated \\d+[smhd] ago\\)", "");
  }

  /** 5s, 3m, 2h, 4d: kubectl's way. */
  static String age(String rfc3339, Instant now) {
    if (rfc3339 == null) {
      return "-";
    }
    try {
      return age(Instant.parse(rfc3339), now);
    } catch (DateTimeParseException e) {
      return "-";
    }
  }

  static String age(Instant at, Instant now) {
    long s = Math.max(0, Duration.between(at, now).getSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 120 * 60) {
      return s / 60 + "m";
    }
    if (s < 48 * 3600) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }

  private static String took(String from, String to) {
    if (from == null || to == null) {
      return "-";
    }
    try {
      return age(Instant.parse(from), Instant.parse(to));
    } catch (DateTimeParseException e) {
      return "-";
    }
  }

  private static String percent(double share) {
    return number(share * 100) + " %";
  }

  private static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) {
      return String.valueOf((long) v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  static String oneLine(String s, int max) {
    String one = s == null ? "" : s.replaceAll("\\s+", " ").strip();
    return one.length() <= max ? one : one.substring(0, max - 1) + "…";
  }

  private static void line(StringBuilder b, String key, String value) {
    b.append(String.format(Locale.ROOT, "%-11s %s%n", key + ":", value));
  }

  private static String dash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  /** Columns padded to their widest cell, two spaces apart. */
  static String table(List<List<String>> rows) {
    int cols = rows.stream().mapToInt(List::size).max().orElse(0);
    int[] width = new int[cols];
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], r.get(i).codePointCount(0, r.get(i).length()));
      }
    }
    StringBuilder b = new StringBuilder();
    for (List<String> r : rows) {
      StringBuilder l = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        String c = r.get(i);
        l.append(c);
        if (i < r.size() - 1) {
          l.append(" ".repeat(width[i] - c.codePointCount(0, c.length()) + 2));
        }
      }
      b.append(l.toString().stripTrailing()).append('\n');
    }
    return b.toString();
  }
}
