"""The Python baseline of bench/batch.sh: the same Iris scoring as `quarkus-run.jar batch`,
written the way a data team would with pandas + onnxruntime.

Reads the CSV (whole, or in chunks of --chunk-rows), refuses rows with a missing, non-numeric or
out-of-range feature (the card's 0..10) into a rejects file, predicts the rest with one
onnxruntime call per chunk, and writes the input columns plus label and per-class probabilities.
Prints one line: rows=<read> predicted=<n> rejected=<m> seconds=<s>.
"""

import argparse
import json
import time

import numpy as np
import onnxruntime as ort
import pandas as pd

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
CLASSES = ["setosa", "versicolor", "virginica"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--in", dest="src", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--rejects", required=True)
    p.add_argument("--chunk-rows", type=int, default=0, help="0: the whole file at once")
    a = p.parse_args()

    start = time.monotonic()
    options = ort.SessionOptions()
    # As the Java runtime's session: one thread per run.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(a.model, options, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name

    rows = predicted = rejected = 0
    chunks = (
        pd.read_csv(a.src, chunksize=a.chunk_rows, dtype=str)
        if a.chunk_rows
        else [pd.read_csv(a.src, dtype=str)]
    )
    with open(a.out, "w") as out, open(a.rejects, "w") as rej:
        header = True
        for chunk in chunks:
            rows += len(chunk)
            values = chunk[FEATURES].apply(pd.to_numeric, errors="coerce")
            bad = values.isna().any(axis=1) | ((values < 0) | (values > 10)).any(axis=1)
            for i in np.flatnonzero(bad.to_numpy()):
                rej.write(json.dumps({"row": int(chunk.index[i]) + 2, "reason": "invalid"}) + "\n")
            good = chunk[~bad].copy()
            rejected += int(bad.sum())
            if len(good):
                x = values[~bad].to_numpy(dtype=np.float32)
                labels, proba = session.run(None, {input_name: x})
                good["label"] = labels
                for k, c in enumerate(CLASSES):
                    good["probabilities." + c] = proba[:, k]
                predicted += len(good)
            good.to_csv(out, index=False, header=header)
            header = False
    seconds = time.monotonic() - start
    print(f"rows={rows} predicted={predicted} rejected={rejected} seconds={seconds:.3f}")


if __name__ == "__main__":
    main()
