package io.modelship.runtime.scoring;

import io.modelship.runtime.model.FeatureBatch;

/** What became of one input row: validated features to predict, or the reason it is refused. */
sealed interface RowResult {

  /**
   * A row the model can take.
   *
   * @param features the row's features, validated as an HTTP request's are (one row)
   * @param carry what the output row repeats from the input: the CSV line, or the JSON object
   */
  record Accepted(FeatureBatch features, Object carry) implements RowResult {}

  /** A row refused, with the reason the rejects file gives. */
  record Rejected(String reason) implements RowResult {}
}
