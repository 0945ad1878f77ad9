"""The baseline: the same saved model served the way the reference projects do it.

An ``async`` FastAPI route that decodes with Pillow and calls Keras ``model.predict()``
on a batch of one, per request: no compiled function, no batching, TensorFlow's
default threads. Because predict() blocks inside an async route, requests are served
one at a time. It writes no history (the reference projects did), so if anything it
is a little faster than what it stands for.

    BASELINE_MODEL_DIR=models/cifar10 .venv/bin/uvicorn bench.baseline_server:app --port 8101
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from fastapi import FastAPI, File, UploadFile
from PIL import Image

from sightline.ml.artifacts import load_model

MODEL_DIR = Path(os.environ.get("BASELINE_MODEL_DIR", "models/cifar10"))
model = load_model(MODEL_DIR)
class_names: list[str] = json.loads((MODEL_DIR / "card.json").read_text())["class_names"]
height, width = (int(side) for side in model.input_shape[1:3])

app = FastAPI(title="Baseline: model.predict() per request")


@app.get("/health")
async def health() -> dict[str, Any]:
    return {"status": "ok", "model_loaded": True}


@app.post("/api/predict")
async def predict(file: UploadFile = File(...)) -> dict[str, Any]:
    contents = await file.read()
    image = Image.open(io.BytesIO(contents)).convert("RGB").resize((width, height))
    batch = np.expand_dims(np.asarray(image, dtype=np.float32), axis=0)
    probabilities = model.predict(batch, verbose=0)[0]
    best = int(np.argmax(probabilities))
    return {
        "prediction": class_names[best],
        "confidence": float(probabilities[best]),
        "probabilities": {
            name: float(p) for name, p in zip(class_names, probabilities, strict=True)
        },
    }
