"""Iris classifier served with FastAPI and ONNX Runtime: the same iris.onnx as the model runtime.

The usual small Python server for an ONNX model on a device: one onnxruntime InferenceSession
created at start-up, a pydantic request model, the label and class probabilities in the answer
(the model's outputs: a label tensor and a probability tensor, zipmap off).

Run (one worker, uvicorn's defaults):
    IRIS_MODEL=examples/models/iris.onnx uvicorn app:app --host 127.0.0.1 --port 8000
"""

import os
from pathlib import Path

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI
from pydantic import BaseModel

DEFAULT_MODEL = Path(__file__).resolve().parents[3] / "examples" / "models" / "iris.onnx"
MODEL_PATH = Path(os.environ.get("IRIS_MODEL", DEFAULT_MODEL))
CLASSES = ["setosa", "versicolor", "virginica"]

session = ort.InferenceSession(str(MODEL_PATH), providers=["CPUExecutionProvider"])
INPUT = session.get_inputs()[0].name
OUTPUTS = [o.name for o in session.get_outputs()]

app = FastAPI(title="Iris classifier (ONNX Runtime)")


class IrisFeatures(BaseModel):
    sepal_length: float
    sepal_width: float
    petal_length: float
    petal_width: float


class Prediction(BaseModel):
    label: str
    probabilities: dict[str, float]
    model: str
    version: str


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/models/iris/predict", response_model=Prediction)
def predict(features: IrisFeatures):
    x = np.array(
        [[features.sepal_length, features.sepal_width, features.petal_length, features.petal_width]],
        dtype=np.float32,
    )
    label, proba = session.run(OUTPUTS, {INPUT: x})
    return Prediction(
        label=str(label[0]),
        probabilities={c: float(p) for c, p in zip(CLASSES, proba[0])},
        model="iris",
        version="1",
    )
