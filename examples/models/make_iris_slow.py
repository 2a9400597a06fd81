"""Make iris-slow.onnx: iris v1 that gives the same answers, slowly.

Writes next to this script:
  iris-slow.onnx, iris-slow.yaml   v1's graph plus a chain of busy work whose result is
                                   multiplied by 0 and added to the probabilities

The candidate a latency gate must roll back: its labels and probabilities are v1's, bit for bit,
so only the time it takes differs. The busy work is a Loop of LOOPS steps, each a MatMul of a
[WIDTH, WIDTH] tensor by a [WIDTH, WIDTH] weight, an offset and Tanh (134 million multiply-adds a
step), the same for every request whatever its number of rows. Its start is computed from the
request's features, so ONNX Runtime cannot run it once at load time; its weights are generated
inside the graph (Range, Cos), so the file stays under 2 KB and fits in a ConfigMap with the
other Iris models. LOOPS sets the time: about 150 ms of CPU a request on one core of the
development machine (see README.md).

Run after train_iris.py (it reads iris.onnx):
  examples/models/.venv/bin/python examples/models/make_iris_slow.py
"""

import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper
from sklearn.datasets import load_iris

from train_iris import INPUT_NAME, write_card

OUT = Path(__file__).resolve().parent
WIDTH = 512
LOOPS = 60


def scalar(name, dtype, value):
    return helper.make_tensor(name, dtype, [], [value])


def ints(name, values):
    return helper.make_tensor(name, TensorProto.INT64, [len(values)], values)


def slow_graph(v1):
    """v1's graph with its probabilities delayed by the busy work, and nothing else changed."""
    g = onnx.GraphProto()
    g.CopyFrom(v1.graph)
    g.name = "iris-slow"
    for node in g.node:
        for i, name in enumerate(node.output):
            if name == "probabilities":
                node.output[i] = "probabilities_v1"

    g.initializer.extend([
        scalar("zero", TensorProto.FLOAT, 0.0),
        scalar("one", TensorProto.FLOAT, 1.0),
        scalar("offset", TensorProto.FLOAT, 0.5),
        scalar("cells", TensorProto.FLOAT, float(WIDTH * WIDTH)),
        scalar("weight_scale", TensorProto.FLOAT, 1.0 / 16),
        scalar("start_scale", TensorProto.FLOAT, 0.01),
        scalar("loops", TensorProto.INT64, LOOPS),
        helper.make_tensor("keep_going", TensorProto.BOOL, [], [True]),
        ints("square", [WIDTH, WIDTH]),
    ])

    # The Loop's body: one step of busy work. `weight` comes from the enclosing graph.
    body = helper.make_graph(
        [
            helper.make_node("MatMul", ["state_in", "weight"], ["product"]),
            # The offset keeps the values near 1: never so small that they become subnormal
            # numbers, which would make each step many times slower than the next machine's.
            helper.make_node("Add", ["product", "offset"], ["shifted"]),
            helper.make_node("Tanh", ["shifted"], ["state_out"]),
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
        ],
        "busy_step",
        [
            helper.make_tensor_value_info("iteration", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("state_in", TensorProto.FLOAT, None),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("state_out", TensorProto.FLOAT, None),
        ],
    )

    g.node.extend([
        # weight[WIDTH, WIDTH] = cos(0, 1, 2, ...) / 16: dense, made at load time, not stored.
        helper.make_node("Range", ["zero", "cells", "one"], ["cell_index"]),
        helper.make_node("Cos", ["cell_index"], ["cell_cos"]),
        helper.make_node("Reshape", ["cell_cos", "square"], ["weight_raw"]),
        helper.make_node("Mul", ["weight_raw", "weight_scale"], ["weight"]),
        # The start, [WIDTH, WIDTH], from the request's features: the input decides it, and its
        # cost is the same for one row as for a batch.
        helper.make_node("ReduceSum", [INPUT_NAME], ["input_sum"], keepdims=0),
        helper.make_node("Mul", ["weight", "input_sum"], ["start_raw"]),
        helper.make_node("Mul", ["start_raw", "start_scale"], ["start"]),
        helper.make_node("Loop", ["loops", "keep_going", "start"], ["busy"], body=body),
        # Its sum, times 0, added to v1's probabilities: the same numbers, later.
        helper.make_node("ReduceSum", ["busy"], ["busy_sum"], keepdims=0),
        helper.make_node("Mul", ["busy_sum", "zero"], ["nothing"]),
        helper.make_node("Add", ["probabilities_v1", "nothing"], ["probabilities"]),
    ])
    return g


def session(path):
    options = ort.SessionOptions()
    # As the Java runtime runs it: one thread.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def main():
    v1 = onnx.load(str(OUT / "iris.onnx"))
    slow = onnx.ModelProto()
    slow.CopyFrom(v1)
    slow.graph.CopyFrom(slow_graph(v1))
    slow.doc_string = (
        "DELIBERATELY SLOW copy of iris v1 (same answers), for latency-gate demonstrations only.")
    onnx.checker.check_model(slow, full_check=True)
    path = OUT / "iris-slow.onnx"
    path.write_bytes(slow.SerializeToString())
    write_card(OUT / "iris-slow.yaml", "4",
               "DELIBERATELY SLOW Iris classifier (v1's answers after busy work), for "
               "latency-gate demonstrations only.",
               ["setosa", "versicolor", "virginica"])

    # Self-check: exactly v1's labels and probabilities on all 150 rows, and the time it takes.
    X = load_iris().data.astype(np.float32)
    fast, slow_session = session(OUT / "iris.onnx"), session(path)
    want, got = fast.run(None, {INPUT_NAME: X}), slow_session.run(None, {INPUT_NAME: X})
    assert (want[0] == got[0]).all(), "iris-slow: labels differ from v1"
    assert np.array_equal(want[1], got[1]), "iris-slow: probabilities differ from v1"
    # CPU time, not wall time: on a busy machine the wall time also counts other processes' turns.
    times = []
    for row in X[:10]:
        t0 = time.process_time()
        slow_session.run(None, {INPUT_NAME: row.reshape(1, -1)})
        times.append(time.process_time() - t0)
    print(f"iris-slow: {path.stat().st_size} bytes, same answers as v1 on all 150 rows, "
          f"median {1000 * np.median(times):.0f} ms of CPU per single-row call on one thread")


if __name__ == "__main__":
    main()
