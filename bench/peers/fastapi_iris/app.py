"""Iris classifier served with FastAPI, written the way common model-serving tutorials do.

The scikit-learn pipeline is unpickled once at start-up with joblib; each request is
validated by a pydantic model and answered with the label and the class probabilities.

Run (one worker, uvicorn's defaults):
    IRIS_MODEL=examples/models/iris.joblib uvicorn app:app --host 127.0.0.1 --port 8000
"""

import os
from pathlib import Path

import joblib
from fastapi import FastAPI
from pydantic import BaseModel

DEFAULT_MODEL = Path(__file__).resolve().parents[3] / "examples" / "models" / "iris.joblib"
MODEL_PATH = Path(os.environ.get("IRIS_MODEL", DEFAULT_MODEL))

model = joblib.load(MODEL_PATH)
CLASSES = [str(c) for c in model.classes_]

app = FastAPI(title="Iris classifier")


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
    x = [[features.sepal_length, features.sepal_width, features.petal_length, features.petal_width]]
    proba = model.predict_proba(x)[0]
    best = int(proba.argmax())
    return Prediction(
        label=CLASSES[best],
        probabilities={c: float(p) for c, p in zip(CLASSES, proba)},
        model="iris",
        version="1",
    )
