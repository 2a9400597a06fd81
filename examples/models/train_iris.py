"""Train the two example Iris classifiers and export them to ONNX.

Writes next to this script:
  iris.onnx,    iris.yaml,    iris.joblib     v1: StandardScaler + LogisticRegression
  iris-v2.onnx, iris-v2.yaml, iris-v2.joblib  v2: depth-2 DecisionTree
  iris-broken.onnx, iris-broken.yaml, iris-broken.joblib
                                              a deliberately bad model: a DecisionTree
                                              trained on shuffled labels

v2 is deliberately a different kind of model that agrees with v1 on most, but
not all, inputs, so that canary and shadow rollouts have something to show.
iris-broken answers every request (no errors, same labels, same card) but its
answers are worse than chance (19 % accuracy): the candidate that analysis must roll back
(agreement and label-shift gates), as a silently bad model would be in real life.
The .joblib files are the same fitted estimators, for serving them from Python
in benchmarks; they are not committed.

Run: examples/models/.venv/bin/python examples/models/train_iris.py
"""

from pathlib import Path

import joblib
import numpy as np
import onnxruntime as ort
from onnx.helper import make_opsetid
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

OUT = Path(__file__).resolve().parent

# Column order of the single input tensor; the model cards list them the same way.
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
INPUT_NAME = "float_input"
# ONNX Runtime for Java 1.22 loads these opsets.
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}


def export_onnx(model, classifier, path):
    """Convert a fitted model; `classifier` is the estimator that gets the options."""
    onx = convert_sklearn(
        model,
        # A fixed graph name: the default is a random UUID, which changes the bytes on every run.
        name=path.stem,
        initial_types=[(INPUT_NAME, FloatTensorType([None, len(FEATURES)]))],
        # Without ZipMap the probabilities are a plain float tensor [N, 3]
        # instead of a sequence of maps, which is simpler to read from Java.
        options={id(classifier): {"zipmap": False}},
        target_opset=TARGET_OPSET,
    )
    # skl2onnx lists the default domain twice when target_opset is a dict; keep one entry each.
    opsets = {o.domain: o.version for o in onx.opset_import}
    del onx.opset_import[:]
    onx.opset_import.extend(make_opsetid(d, v) for d, v in opsets.items())
    path.write_bytes(onx.SerializeToString())
    return [o.name for o in onx.graph.output]


def write_card(path, version, description, labels):
    inputs = "".join(
        f"  - {{name: {f}, type: float, min: 0, max: 10, required: true}}\n" for f in FEATURES
    )
    path.write_text(
        "# Model card: the model's declared contract. Same schema as ModelDeployment spec.model.\n"
        "name: iris\n"
        f'version: "{version}"\n'
        "format: onnx\n"
        f"description: {description}\n"
        "inputs:\n"
        f"{inputs}"
        "outputs:\n"
        f"  labels: [{', '.join(labels)}]\n"
    )


def main():
    iris = load_iris()
    # Train on float32 so that sklearn sees the same values the ONNX model gets.
    X = iris.data.astype(np.float32)
    # String labels, so the ONNX label output is a string tensor.
    y = iris.target_names[iris.target]

    lr = LogisticRegression(max_iter=1000, random_state=0)
    v1 = make_pipeline(StandardScaler(), lr).fit(X, y)
    v2 = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    # Shuffled labels with a fixed seed: the same broken model on every run.
    broken = DecisionTreeClassifier(max_depth=3, random_state=0).fit(
        X, np.random.RandomState(0).permutation(y))
    labels = [str(c) for c in v1.classes_]
    assert labels == [str(c) for c in v2.classes_] == ["setosa", "versicolor", "virginica"]
    assert labels == [str(c) for c in broken.classes_]

    models = {
        "iris": (v1, lr, "1",
                 "Iris species classifier (StandardScaler + LogisticRegression), "
                 "trained on scikit-learn's Iris data set."),
        "iris-v2": (v2, v2, "2",
                    "Iris species classifier (DecisionTree, max depth 2), "
                    "trained on scikit-learn's Iris data set."),
        "iris-broken": (broken, broken, "3",
                        "DELIBERATELY BROKEN Iris classifier (DecisionTree trained on shuffled "
                        "labels), for rollback demonstrations only."),
    }

    preds = {}
    for stem, (model, classifier, version, description) in models.items():
        preds[stem] = model.predict(X)
        outputs = export_onnx(model, classifier, OUT / f"{stem}.onnx")
        joblib.dump(model, OUT / f"{stem}.joblib")
        write_card(OUT / f"{stem}.yaml", version, description, labels)
        print(f"{stem}: accuracy {np.mean(preds[stem] == y):.4f}, outputs {outputs}")

    agreement = np.mean(preds["iris"] == preds["iris-v2"])
    print(f"v1/v2 agreement on the data set: {agreement:.4f}")
    print(f"v1/broken agreement on the data set: {np.mean(preds['iris'] == preds['iris-broken']):.4f}")

    # Self-check: the ONNX models predict exactly what the sklearn models do.
    for stem, (model, _, _, _) in models.items():
        sess = ort.InferenceSession(str(OUT / f"{stem}.onnx"), providers=["CPUExecutionProvider"])
        label, proba = sess.run(None, {INPUT_NAME: X})
        assert (label == preds[stem]).all(), f"{stem}: ONNX labels differ from sklearn"
        np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-4)
        if stem == "iris-broken":
            continue
        setosa = sess.run(None, {INPUT_NAME: np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32)})
        assert setosa[0][0] == "setosa", f"{stem}: expected setosa, got {setosa[0][0]}"
    print("self-check passed: ONNX predictions match sklearn on all 150 rows")


if __name__ == "__main__":
    main()
