package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.RolloutRecord;
import io.modelship.operator.api.TrafficPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code status.history}: the latest rollouts and how each ended, from one status to the next.
 * Pure: the previous status and the one about to be written come in; the operator keeps no other
 * record, so a restarted operator goes on where the last one stopped.
 *
 * <p>A record opens when a revision becomes the candidate (or, on a first deployment or an instant
 * change, serves at once) and closes when the candidate leaves: it now serves (Promoted), it is
 * rejected (RolledBack, or Aborted when a user asked), or the spec moved on to another revision
 * (Superseded). While it is open, each change of the candidate's share, mirrored share or Canary
 * step adds a point.
 */
public final class RolloutHistory {
  /** Records kept. */
  static final int MAX_RECORDS = 10;

  /** Traffic points kept per record: the first and the latest. */
  static final int MAX_POINTS = 30;

  private RolloutHistory() {}

  /**
   * @param spec the spec this reconcile worked from (the model and the strategy of a new record)
   * @param previous the status before this reconcile
   * @param next the status about to be written
   * @param now RFC 3339
   * @return the history to write (a new list; the previous one is left alone)
   */
  public static List<RolloutRecord> next(
      ModelDeploymentSpec spec,
      ModelDeploymentStatus previous,
      ModelDeploymentStatus next,
      String now) {
    List<RolloutRecord> history = new ArrayList<>();
    if (previous.history != null) {
      for (RolloutRecord r : previous.history) {
        history.add(copy(r));
      }
    }
    RolloutRecord open = history.isEmpty() ? null : history.get(history.size() - 1);
    if (open != null && open.finishedAt != null) {
      open = null;
    }
    if (open != null && !open.revision.equals(next.candidateRevision)) {
      close(open, next, now);
      open = null;
    }
    if (next.candidateRevision != null && open == null) {
      open = start(spec, next.candidateRevision, next.stableRevision, now);
      history.add(open);
    } else if (next.candidateRevision == null
        && next.stableRevision != null
        && !next.stableRevision.equals(previous.stableRevision)
        && !closedAsPromoted(history, next.stableRevision)) {
      // Served at once: a first deployment that was never a candidate in status.
      RolloutRecord r = start(spec, next.stableRevision, previous.stableRevision, now);
      point(r, now, null, 100, null);
      finish(r, now, "Promoted", "revision " + r.revision + " serves");
      history.add(r);
    }
    if (open != null && next.traffic != null) {
      Integer mirrored =
          next.traffic.mirrored == null || next.traffic.mirrored == 0
              ? null
              : next.traffic.mirrored;
      point(open, now, next.currentStep, next.traffic.candidate, mirrored);
    }
    while (history.size() > MAX_RECORDS) {
      history.remove(0);
    }
    return history;
  }

  /** True when two histories say the same (for {@link StatusBuilder#same}). */
  static boolean same(List<RolloutRecord> a, List<RolloutRecord> b) {
    return Objects.equals(key(a), key(b));
  }

  private static List<String> key(List<RolloutRecord> h) {
    if (h == null || h.isEmpty()) {
      return List.of();
    }
    List<String> k = new ArrayList<>();
    for (RolloutRecord r : h) {
      StringBuilder sb =
          new StringBuilder()
              .append(r.revision)
              .append('|')
              .append(r.previousRevision)
              .append('|')
              .append(r.model)
              .append('|')
              .append(r.strategy)
              .append('|')
              .append(r.startedAt)
              .append('|')
              .append(r.finishedAt)
              .append('|')
              .append(r.outcome)
              .append('|')
              .append(r.reason);
      if (r.traffic != null) {
        for (TrafficPoint p : r.traffic) {
          sb.append('|')
              .append(p.at)
              .append(',')
              .append(p.step)
              .append(',')
              .append(p.weight)
              .append(',')
              .append(p.mirrored);
        }
      }
      k.add(sb.toString());
    }
    return k;
  }

  private static boolean closedAsPromoted(List<RolloutRecord> history, String revision) {
    if (history.isEmpty()) {
      return false;
    }
    RolloutRecord last = history.get(history.size() - 1);
    return revision.equals(last.revision) && "Promoted".equals(last.outcome);
  }

  private static RolloutRecord start(
      ModelDeploymentSpec spec, String revision, String previousRevision, String now) {
    RolloutRecord r = new RolloutRecord();
    r.revision = revision;
    r.previousRevision = previousRevision;
    if (spec != null && spec.model != null && spec.model.name != null) {
      r.model =
          spec.model.version == null ? spec.model.name : spec.model.name + ":" + spec.model.version;
    }
    r.strategy =
        spec == null || spec.strategy == null || spec.strategy.type == null
            ? "RollingUpdate"
            : spec.strategy.type.name();
    r.startedAt = now;
    return r;
  }

  private static void close(RolloutRecord open, ModelDeploymentStatus next, String now) {
    if (open.revision.equals(next.stableRevision)) {
      point(open, now, null, 100, null);
      finish(open, now, "Promoted", "revision " + open.revision + " serves");
    } else if (open.revision.equals(next.rejectedRevision)) {
      Condition degraded = condition(next, "Degraded");
      String reason = degraded == null ? null : degraded.getReason();
      String message = degraded == null ? null : degraded.getMessage();
      point(open, now, null, 0, null);
      finish(
          open,
          now,
          "Aborted".equals(reason) ? "Aborted" : "RolledBack",
          message == null || message.isEmpty() ? reason : message);
    } else {
      point(open, now, null, 0, null);
      String by = next.candidateRevision != null ? next.candidateRevision : next.stableRevision;
      finish(
          open,
          now,
          "Superseded",
          by == null ? "the spec changed" : "the spec changed to revision " + by);
    }
  }

  private static void finish(RolloutRecord r, String now, String outcome, String reason) {
    r.finishedAt = now;
    r.outcome = outcome;
    r.reason = reason == null ? null : StatusBuilder.capped(shorter(reason));
  }

  /** A record's reason is a summary: the condition keeps the whole message. */
  private static String shorter(String s) {
    return s.length() <= 1024 ? s : s.substring(0, 1023) + "…";
  }

  private static void point(
      RolloutRecord r, String now, Integer step, Integer weight, Integer mirrored) {
    if (r.traffic == null) {
      r.traffic = new ArrayList<>();
    }
    if (!r.traffic.isEmpty()) {
      TrafficPoint last = r.traffic.get(r.traffic.size() - 1);
      if (Objects.equals(last.weight, weight)
          && Objects.equals(last.mirrored, mirrored)
          && Objects.equals(last.step, step)) {
        return;
      }
    }
    r.traffic.add(new TrafficPoint(now, step, weight, mirrored));
    if (r.traffic.size() > MAX_POINTS) {
      r.traffic.remove(1);
    }
  }

  private static Condition condition(ModelDeploymentStatus s, String type) {
    if (s.conditions == null) {
      return null;
    }
    return s.conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static RolloutRecord copy(RolloutRecord r) {
    RolloutRecord c = new RolloutRecord();
    c.revision = r.revision;
    c.previousRevision = r.previousRevision;
    c.model = r.model;
    c.strategy = r.strategy;
    c.startedAt = r.startedAt;
    c.finishedAt = r.finishedAt;
    c.outcome = r.outcome;
    c.reason = r.reason;
    c.traffic = new ArrayList<>();
    if (r.traffic != null) {
      for (TrafficPoint p : r.traffic) {
        c.traffic.add(new TrafficPoint(p.at, p.step, p.weight, p.mirrored));
      }
    }
    return c;
  }
}
