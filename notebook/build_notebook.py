"""Writes sightline_walkthrough.ipynb from the cells below (edit here, then run it), so
the notebook stays reviewable as plain Python in git diffs."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    ("md", """# Sightline: from images to a trained, explained classifier

This notebook walks through the pipeline with Sightline's own functions (the same code the
service runs): the data, preprocessing, a short training run, evaluation and a look inside
the network. By default it runs the **quick** setting (`SIGHTLINE_NOTEBOOK_QUICK=1`): a
small model on a subset of CIFAR-10 (when `SIGHTLINE_CIFAR10` points at the data) or on a
generated shapes dataset, so it finishes in a few minutes on a laptop CPU."""),
    ("code", """import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sightline.config import REPO_ROOT

QUICK = os.environ.get("SIGHTLINE_NOTEBOOK_QUICK", "1") == "1"
CIFAR10 = os.environ.get("SIGHTLINE_CIFAR10")
FIGURES = REPO_ROOT / "notebook" / "figures"
FIGURES.mkdir(parents=True, exist_ok=True)


def save(fig, name):
    fig.savefig(FIGURES / f"{name}.png", dpi=90, bbox_inches="tight")
    plt.show()


print("quick setting:", QUICK, "| CIFAR-10:", CIFAR10 or "not set, using generated shapes")"""),
    ("md", """## 1. The data

`load_dataset` reads CIFAR-10 (the image-folder zip, the official tarball, or a download)
or any image-folder dataset (`train/<class>/*.jpg`, `test/<class>/*.jpg`). Class names come
from the data. Decoded arrays are cached, so a second load is instant."""),
    ("code", """import tempfile

from sightline.data.datasets import load_dataset
from sightline.data.synthetic import SHAPES, make_shapes_dataset

cache = Path(tempfile.gettempdir()) / "sightline-notebook-cache"
if CIFAR10:
    dataset = load_dataset("cifar10", cifar10_source=CIFAR10, cache_dir=cache)
    if QUICK:
        dataset = dataset.subset(5000, 1000, seed=0)
else:
    root = make_shapes_dataset(Path(tempfile.mkdtemp()) / "shapes", SHAPES, n_train=80, n_test=30)
    dataset = load_dataset(str(root), cache_dir=cache)
print(dataset.name, dataset.x_train.shape, dataset.x_test.shape)
print("classes:", dataset.class_names)"""),
    ("code", """fig, ax = plt.subplots(figsize=(8, 3))
train, test = dataset.counts("train"), dataset.counts("test")
x = np.arange(len(dataset.class_names))
ax.bar(x - 0.2, list(train.values()), 0.4, label="train")
ax.bar(x + 0.2, list(test.values()), 0.4, label="test")
ax.set_xticks(x, dataset.class_names, rotation=30)
ax.set_title("Images per class")
ax.legend()
save(fig, "class_distribution")"""),
    ("code", """rng = np.random.default_rng(0)
fig, axes = plt.subplots(len(dataset.class_names), 8, figsize=(8, 1.05 * len(dataset.class_names)))
for row, name in enumerate(dataset.class_names):
    idx = rng.choice(np.nonzero(dataset.y_train == row)[0], 8, replace=False)
    for col, i in enumerate(idx):
        axes[row, col].imshow(dataset.x_train[i])
        axes[row, col].axis("off")
    axes[row, 0].set_title(name, fontsize=8, loc="left")
save(fig, "samples")"""),
    ("md", """## 2. Preprocessing

One function turns any upload into model input, for training and serving alike: decode
with Pillow, apply EXIF orientation, convert any mode to RGB, take the first frame, and
resize with antialiasing. The saved model takes these raw 0–255 pixels and normalises
inside itself, so there is nothing to get out of step between training and serving."""),
    ("code", """import io

from PIL import Image

from sightline.data.preprocessing import decode_image, image_to_input

big = Image.fromarray(dataset.x_test[0]).resize((256, 256), Image.Resampling.BICUBIC)
buffer = io.BytesIO()
big.save(buffer, "JPEG")
original = decode_image(buffer.getvalue())
model_input = image_to_input(buffer.getvalue(), (32, 32))
fig, axes = plt.subplots(1, 2, figsize=(6, 3))
axes[0].imshow(original)
axes[0].set_title(f"upload {original.size[0]}x{original.size[1]}")
axes[1].imshow(model_input, interpolation="nearest")
axes[1].set_title("what the model sees, 32x32")
for ax in axes:
    ax.axis("off")
save(fig, "preprocessing")"""),
    ("md", """## 3. Training

The default recipe follows airbench94: a frozen patch-whitening first layer, identity
initialised convolutions, label smoothing, Nesterov SGD with a triangular learning rate
and lookahead, alternating flips and small translations. Here it runs on the quick
setting; `sightline train` runs the full one."""),
    ("code", """from dataclasses import replace

from sightline.ml.training import QUICK as QUICK_CONFIG, TrainConfig, train

config = replace(QUICK_CONFIG, epochs=6, widths=(32, 64, 64), batch_size=128) if QUICK else TrainConfig()
result = train(dataset, config)
model = result.networks.serving_model
print(f"trained {result.steps} steps in {result.seconds:.0f} s")"""),
    ("code", """history = result.history
epochs = np.arange(1, len(history["loss"]) + 1)
fig, axes = plt.subplots(1, 2, figsize=(9, 3))
axes[0].plot(epochs, history["loss"], label="train")
axes[0].plot(epochs, history["val_loss"], label="validation")
axes[0].set_title("loss")
axes[1].plot(epochs, history["accuracy"], label="train")
axes[1].plot(epochs, history["val_accuracy"], label="validation")
axes[1].set_title("accuracy")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.legend()
save(fig, "learning_curves")"""),
    ("md", """## 4. Evaluation

`evaluate_model` produces what the API's `/api/metrics` reports: accuracy, macro
precision/recall/F1, per-class figures, the confusion matrix (and ROC-AUC for two classes),
plus the confidence threshold below which a prediction is flagged `uncertain`."""),
    ("code", """from sightline.ml.pipeline import evaluate_model
from sightline.ml.training import predict_probabilities

report, seconds = evaluate_model(model, dataset)
metrics = report["metrics"]
print(f"test accuracy {metrics['accuracy']:.2%}, macro F1 {metrics['f1']:.3f} ({seconds:.1f} s)")
print("uncertain below confidence", round(report["uncertainty"]["threshold"], 3),
      f"({report['uncertainty']['flagged_share']:.1%} of test images)")"""),
    ("code", """matrix = np.array(metrics["confusion_matrix"])
names = dataset.class_names
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
axes[0].imshow(matrix / matrix.sum(axis=1, keepdims=True), cmap="Blues")
axes[0].set_xticks(range(len(names)), names, rotation=45)
axes[0].set_yticks(range(len(names)), names)
axes[0].set_xlabel("predicted")
axes[0].set_ylabel("actual")
for i in range(len(names)):
    for j in range(len(names)):
        axes[0].text(j, i, matrix[i, j], ha="center", va="center", fontsize=7)
axes[0].set_title("confusion matrix")
per_class = [metrics["per_class"][n]["accuracy"] for n in names]
axes[1].barh(names, per_class)
axes[1].set_xlim(0, 1)
axes[1].set_title("per-class accuracy")
save(fig, "evaluation")"""),
    ("code", """probabilities = predict_probabilities(model, dataset.x_test)
predicted = probabilities.argmax(axis=1)
confidence = probabilities.max(axis=1)
wrong = np.nonzero(predicted != dataset.y_test)[0]
hardest = wrong[np.argsort(-confidence[wrong])][:12]
fig, axes = plt.subplots(2, 6, figsize=(10, 4))
for ax, i in zip(axes.flat, hardest):
    ax.imshow(dataset.x_test[i])
    ax.set_title(f"{names[predicted[i]]} {confidence[i]:.0%}\\n(is {names[dataset.y_test[i]]})", fontsize=7)
for ax in axes.flat:
    ax.axis("off")
fig.suptitle("The most confident mistakes")
save(fig, "hardest_mistakes")"""),
    ("md", """## 5. Inside the network

The serving model wraps a `backbone` (a nested Keras model). The first layer is the
frozen whitening convolution; after it come the conv groups. Their feature maps for one
test image show what each stage responds to."""),
    ("code", """import keras

backbone = model.get_layer("backbone")
normalize = model.get_layer("normalize")
layer_names = ["whiten_act", "block1_act1", "block2_act1"]
probe = keras.Model(backbone.inputs, [backbone.get_layer(n).output for n in layer_names])
maps = probe(normalize(dataset.x_test[:1].astype("float32")))
fig, axes = plt.subplots(len(layer_names), 8, figsize=(10, 4))
for row, (name, fmap) in enumerate(zip(layer_names, maps)):
    fmap = np.asarray(fmap)[0]
    for col in range(8):
        axes[row, col].imshow(fmap[..., col], cmap="viridis")
        axes[row, col].axis("off")
    axes[row, 0].set_title(f"{name} {fmap.shape[0]}x{fmap.shape[1]}", fontsize=8, loc="left")
save(fig, "feature_maps")"""),
    ("md", """## 6. The shipped model

`models/cifar10/` holds the model the service starts from, trained with the full recipe.
Its card records how it was trained and how well it does."""),
    ("code", """import json

card_path = REPO_ROOT / "models" / "cifar10" / "card.json"
if card_path.exists():
    card = json.loads(card_path.read_text())
    print("test accuracy:", f"{card['metrics']['accuracy']:.2%}",
          "on", card["metrics"]["evaluated_on"])
    print("trained in", card["training"]["seconds"], "s on", card["training"]["machine"]["cpu"])
    print("command:", card["training"]["command"])
else:
    print("No shipped model yet: `make train` makes one.")"""),
]


def build() -> nbformat.NotebookNode:
    notebook = new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src)
                      for kind, src in CELLS]
    return notebook


if __name__ == "__main__":
    target = Path(__file__).with_name("sightline_walkthrough.ipynb")
    nbformat.write(build(), target)
    print("wrote", target)
