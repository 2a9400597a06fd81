"""Train the larger example model, a handwritten-digit classifier, and export it to ONNX.

Writes next to this script:
  digits.onnx, digits.yaml, digits.joblib   StandardScaler + MLPClassifier (512, 256 ReLU units)

The Iris models take microseconds to run, so the HTTP work dominates everything the runtime
does with them. This one costs tens of microseconds per row when run one row at a time, and a
few per row when rows are run together (one matrix product instead of many vector products):
the model that dynamic batching is measured on (bench/batching.sh).

The data is scikit-learn's own copy of the UCI digits (8x8 images, 16 grey levels, 1,797 rows),
so nothing is downloaded. The .joblib file is the same fitted estimator, for Python; it is not
committed.

Run: examples/models/.venv/bin/python examples/models/train_digits.py
"""

import os

# One BLAS thread: the sums then happen in the same order on every run, so the weights, and the
# .onnx file, are the same bytes every time.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path  # noqa: E402

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnx.helper import make_opsetid  # noqa: E402
from skl2onnx import convert_sklearn  # noqa: E402
from skl2onnx.common.data_types import FloatTensorType  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

OUT = Path(__file__).resolve().parent
STEM = "digits"
INPUT_NAME = "float_input"
# Row-major pixel names: pixel_<row>_<column>, the order of the input tensor's 64 columns.
FEATURES = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
LABELS = [str(d) for d in range(10)]
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}


def export_onnx(model, classifier, path):
    onx = convert_sklearn(
        model,
        name=path.stem,  # fixed, not skl2onnx's random default: reproducible bytes
        initial_types=[(INPUT_NAME, FloatTensorType([None, len(FEATURES)]))],
        options={id(classifier): {"zipmap": False}},  # probabilities as a plain [N, 10] tensor
        target_opset=TARGET_OPSET,
    )
    # One entry per domain, sorted: skl2onnx collects them in a set, whose order changes with
    # Python's string hashing from one run to the next.
    opsets = {o.domain: o.version for o in onx.opset_import}
    del onx.opset_import[:]
    onx.opset_import.extend(make_opsetid(d, v) for d, v in sorted(opsets.items()))
    path.write_bytes(onx.SerializeToString())
    return [o.name for o in onx.graph.output]


def write_card(path, accuracy):
    inputs = "".join(
        f"  - {{name: {f}, type: float, min: 0, max: 16, required: true}}\n" for f in FEATURES
    )
    quoted = ", ".join(f'"{label}"' for label in LABELS)  # quoted: YAML would read 0 as a number
    path.write_text(
        "# Model card: the model's declared contract. Same schema as ModelDeployment spec.model.\n"
        "name: digits\n"
        'version: "1"\n'
        "format: onnx\n"
        "description: Handwritten digit classifier (StandardScaler + MLP, 512 and 256 ReLU"
        " units), trained on scikit-learn's 8x8 digits data set; pixels are grey levels 0-16,"
        f" row by row; {accuracy:.1%} accuracy on held-out rows.\n"
        "inputs:\n"
        f"{inputs}"
        "outputs:\n"
        f"  labels: [{quoted}]\n"
    )


def main():
    digits = load_digits()
    X = digits.data.astype(np.float32)
    y = np.array(LABELS)[digits.target]  # string labels: the ONNX label output is a string tensor
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y)

    mlp = MLPClassifier(hidden_layer_sizes=(512, 256), max_iter=300, random_state=0)
    model = make_pipeline(StandardScaler(), mlp).fit(X_train, y_train)
    assert [str(c) for c in model.classes_] == LABELS
    accuracy = float(np.mean(model.predict(X_test) == y_test))
    assert accuracy > 0.97, f"held-out accuracy {accuracy:.4f} is too low"

    path = OUT / f"{STEM}.onnx"
    outputs = export_onnx(model, mlp, path)
    joblib.dump(model, OUT / f"{STEM}.joblib")
    write_card(OUT / f"{STEM}.yaml", accuracy)
    print(f"{STEM}: held-out accuracy {accuracy:.4f}, {path.stat().st_size} bytes, outputs {outputs}")

    # Self-check: ONNX Runtime agrees with scikit-learn, one row at a time and all rows at once.
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    label, proba = sess.run(None, {INPUT_NAME: X})
    expected = model.predict_proba(X)
    np.testing.assert_allclose(proba, expected, atol=1e-4)
    # float32 against float64 may flip a near tie; there is none in this data.
    assert (label == model.predict(X)).all(), "ONNX labels differ from scikit-learn"
    for i in range(0, len(X), 97):
        one, _ = sess.run(None, {INPUT_NAME: X[i:i + 1]})
        assert one[0] == label[i], f"row {i}: alone {one[0]}, in a batch {label[i]}"
    print(f"self-check passed: ONNX predictions match scikit-learn on all {len(X)} rows")


if __name__ == "__main__":
    main()
