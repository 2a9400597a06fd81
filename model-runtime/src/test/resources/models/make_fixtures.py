"""Build the small ONNX test fixtures for the model runtime's tests.

Writes next to this script:
  regressor.onnx, regressor.yaml  one input per feature (FLOAT rooms, INT64 age) -> FLOAT price [N, 1]
  indexed.onnx,   indexed.yaml    classifier whose label is an INT64 class index, plus softmax scores
  strings.onnx                    per-input model with a STRING input (no card: features come from the graph)
  wide.onnx                       one DOUBLE [N, 3] input -> row sum (no card: features x0, x1, x2)
  lookup.onnx,    lookup.yaml     INT64 slot -> FLOAT value from a 3-entry table; ONNX Runtime fails
                                  the whole call when a slot is outside 0..2 (the card allows 0..9)
  encoded.onnx,   encoded.yaml    FLOAT [N, 5] -> weighted sum; the card declares transforms
                                  (standardize, minMax with a default, a 3-category oneHot)

Every model is checked with onnx.checker (full_check) and run once with onnxruntime.
The output is deterministic: fixed names, fixed weights, no timestamps.

Run: examples/models/.venv/bin/python model-runtime/src/test/resources/models/make_fixtures.py
"""

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OUT = Path(__file__).resolve().parent

# ONNX Runtime for Java 1.22 loads these.
IR_VERSION = 8
OPSETS = [helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)]


def tensor(name, elem_type, shape):
    return helper.make_tensor_value_info(name, elem_type, shape)


def const(name, values, dtype):
    return numpy_helper.from_array(np.array(values, dtype=dtype), name=name)


def save(name, nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=OPSETS, ir_version=IR_VERSION)
    onnx.checker.check_model(model, full_check=True)
    path = OUT / f"{name}.onnx"
    path.write_bytes(model.SerializeToString())
    return path


def write_card(name, text):
    (OUT / f"{name}.yaml").write_text(text)


def regressor():
    # price = [rooms, float(age)] @ [[10], [-0.5]] + 50
    nodes = [
        helper.make_node("Cast", ["age"], ["age_f"], to=TensorProto.FLOAT),
        helper.make_node("Concat", ["rooms", "age_f"], ["x"], axis=1),
        helper.make_node("MatMul", ["x", "W"], ["xw"]),
        helper.make_node("Add", ["xw", "b"], ["price"]),
    ]
    path = save(
        "regressor",
        nodes,
        [tensor("rooms", TensorProto.FLOAT, ["N", 1]), tensor("age", TensorProto.INT64, ["N", 1])],
        [tensor("price", TensorProto.FLOAT, ["N", 1])],
        [const("W", [[10.0], [-0.5]], np.float32), const("b", [50.0], np.float32)],
    )
    write_card(
        "regressor",
        'name: houses\n'
        'version: "3"\n'
        'format: onnx\n'
        'inputs:\n'
        '  - {name: rooms, type: float, min: 0, max: 50}\n'
        '  - {name: age, type: integer, min: 0, max: 500, required: false, default: 20}\n',
    )
    return path, {
        "rooms": np.array([[3.0]], dtype=np.float32),
        "age": np.array([[10]], dtype=np.int64),
    }


def indexed():
    # logits = x @ W; class = argmax(logits); scores = softmax(logits)
    nodes = [
        helper.make_node("MatMul", ["x", "W"], ["logits"]),
        helper.make_node("ArgMax", ["logits"], ["class"], axis=1, keepdims=0),
        helper.make_node("Softmax", ["logits"], ["scores"], axis=1),
    ]
    path = save(
        "indexed",
        nodes,
        [tensor("x", TensorProto.FLOAT, ["N", 2])],
        [tensor("class", TensorProto.INT64, ["N"]), tensor("scores", TensorProto.FLOAT, ["N", 3])],
        [const("W", [[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]], np.float32)],
    )
    write_card(
        "indexed",
        'name: colors\n'
        'version: "1"\n'
        'format: onnx\n'
        'inputs:\n'
        '  - {name: a, type: float}\n'
        '  - {name: b, type: float}\n'
        'outputs:\n'
        '  labels: [red, green, blue]\n',
    )
    return path, {"x": np.array([[2.0, 0.0]], dtype=np.float32)}


def strings():
    # score = {red: 1, green: 2, blue: 3, other: 0}[color] + size
    nodes = [
        helper.make_node(
            "LabelEncoder",
            ["color"],
            ["encoded"],
            domain="ai.onnx.ml",
            keys_strings=["red", "green", "blue"],
            values_floats=[1.0, 2.0, 3.0],
            default_float=0.0,
        ),
        helper.make_node("Add", ["encoded", "size"], ["score"]),
    ]
    path = save(
        "strings",
        nodes,
        [tensor("color", TensorProto.STRING, ["N", 1]), tensor("size", TensorProto.FLOAT, ["N", 1])],
        [tensor("score", TensorProto.FLOAT, ["N", 1])],
    )
    return path, {
        "color": np.array([["green"]], dtype=object),
        "size": np.array([[0.5]], dtype=np.float32),
    }


def wide():
    # total = sum of the three columns, kept as [N, 1]
    nodes = [helper.make_node("ReduceSum", ["features", "axes"], ["total"], keepdims=1)]
    path = save(
        "wide",
        nodes,
        [tensor("features", TensorProto.DOUBLE, ["N", 3])],
        [tensor("total", TensorProto.DOUBLE, ["N", 1])],
        [const("axes", [1], np.int64)],
    )
    return path, {"features": np.array([[1.0, 2.0, 3.0]], dtype=np.float64)}


def lookup():
    # value = [10, 20, 30][slot]; Gather fails the call for a slot outside the table
    nodes = [helper.make_node("Gather", ["table", "slot"], ["value"], axis=0)]
    path = save(
        "lookup",
        nodes,
        [tensor("slot", TensorProto.INT64, ["N", 1])],
        [tensor("value", TensorProto.FLOAT, ["N", 1])],
        [const("table", [10.0, 20.0, 30.0], np.float32)],
    )
    write_card(
        "lookup",
        'name: lookup\n'
        'version: "1"\n'
        'format: onnx\n'
        'inputs:\n'
        '  - {name: slot, type: integer, min: 0, max: 9}\n',
    )
    return path, {"slot": np.array([[2]], dtype=np.int64)}
def encoded():
    # y = x @ [1, 2, 3, 5, 7]: every model column weighs differently, so a column out of place shows
    nodes = [helper.make_node("MatMul", ["x", "W"], ["y"])]
    path = save(
        "encoded",
        nodes,
        [tensor("x", TensorProto.FLOAT, ["N", 5])],
        [tensor("y", TensorProto.FLOAT, ["N", 1])],
        [const("W", [[1.0], [2.0], [3.0], [5.0], [7.0]], np.float32)],
    )
    write_card(
        "encoded",
        'name: encoded\n'
        'version: "1"\n'
        'format: onnx\n'
        'inputs:\n'
        '  - name: length_mm\n'
        '    min: 0\n'
        '    max: 1000\n'
        '    transform: {standardize: {mean: 100, std: 10}}\n'
        '  - name: weight\n'
        '    required: false\n'
        '    default: 50\n'
        '    transform: {minMax: {min: 0, max: 200}}\n'
        '  - name: colour\n'
        '    type: string\n'
        '    transform: {oneHot: {categories: [red, green, blue]}}\n',
    )
    # length_mm 120 -> 2, weight 50 -> 0.25, colour green -> [0, 1, 0]
    return path, {"x": np.array([[2.0, 0.25, 0.0, 1.0, 0.0]], dtype=np.float32)}


def run(path, feeds):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    print(f"{path.name} ({path.stat().st_size} bytes)")
    for i in session.get_inputs():
        print(f"  input  {i.name}: {i.type} {i.shape}")
    for o in session.get_outputs():
        print(f"  output {o.name}: {o.type} {o.shape}")
    results = session.run(None, feeds)
    for name, value in feeds.items():
        print(f"  feed   {name} = {value.tolist()}")
    for o, value in zip(session.get_outputs(), results):
        print(f"  result {o.name} = {value.tolist()} ({value.dtype}, shape {list(value.shape)})")
    return results


def main():
    price, = run(*regressor())
    assert np.allclose(price, [[75.0]]), price

    cls, scores = run(*indexed())
    assert cls.tolist() == [0], cls
    assert np.allclose(scores.sum(axis=1), 1.0), scores

    score, = run(*strings())
    assert np.allclose(score, [[2.5]]), score

    total, = run(*wide())
    assert np.allclose(total, [[6.0]]), total

    value, = run(*lookup())
    assert np.allclose(value, [[30.0]]), value
    session = ort.InferenceSession(str(OUT / "lookup.onnx"), providers=["CPUExecutionProvider"])
    try:
        session.run(None, {"slot": np.array([[0], [5]], dtype=np.int64)})
        raise AssertionError("lookup.onnx answered for slot 5")
    except ort.capi.onnxruntime_pybind11_state.InvalidArgument as e:
        print(f"  slot 5 fails as intended: {str(e).splitlines()[0][:100]}")
    y, = run(*encoded())
    assert np.allclose(y, [[2.0 + 0.5 + 5.0]]), y


if __name__ == "__main__":
    main()
