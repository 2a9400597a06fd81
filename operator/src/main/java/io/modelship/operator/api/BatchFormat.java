package io.modelship.operator.api;

/** Input file formats of a batch run. */
public enum BatchFormat {
  csv,
  jsonl
}
