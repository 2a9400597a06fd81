package io.modelship.operator.strategy;

import java.util.List;

/**
 * The analysis as a step machine sees it: the latest verdict (already resolved with onNoData), why,
 * how many failed verdicts were seen so far and how many are tolerated. {@link #NONE} when the spec
 * sets no analysis.
 */
public record Gate(Analysis.Outcome verdict, List<String> reasons, int failures, int failureLimit) {
  public static final Gate NONE = new Gate(null, List.of(), 0, 0);

  /** Whether a verdict so far rolls back: more failed verdicts than the limit allows. */
  public boolean exhausted() {
    return verdict == Analysis.Outcome.FAIL && failures > failureLimit;
  }

  /** The reasons as a message suffix: ": a; b", or empty. */
  public String why() {
    return reasons == null || reasons.isEmpty() ? "" : ": " + String.join("; ", reasons);
  }
}
