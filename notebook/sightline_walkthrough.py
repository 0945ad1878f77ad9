# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Sightline: from images to a trained, explained classifier
#
# This notebook walks through Sightline's pipeline with the package's own functions (the
# same code the service and the `sightline` command run): the data, preprocessing, a short
# training run, evaluation, and a look inside the network.
#
# It is driven by environment variables, so it runs unattended in CI (`make notebook`):
#
# - `SIGHTLINE_NOTEBOOK_QUICK`: `1` (the default) trains the `--quick` model on a subset
#   (5,000 train and 1,000 test images), a few minutes on a laptop CPU; `0` trains the full
#   recipe on all the data (about an hour on two cores).
# - `SIGHTLINE_NOTEBOOK_DATA`: `cifar10` (the default), `shapes` (a generated dataset), or
#   the path of an image-folder dataset.
# - `SIGHTLINE_CIFAR10`: where CIFAR-10 is (a zip of image folders, or the official
#   tarball). When it is not set, the lossless copy `../shared/datasets/cifar10-png.zip`
#   beside the checkout, if there is one; otherwise the generated shapes.
# - `SIGHTLINE_CATSDOGS`: the small cats-and-dogs photo set of section 7 (default
#   `../shared/datasets/catsdogs-small.zip`; two generated shapes stand in without it).
# - `SIGHTLINE_NOTEBOOK_FIGURES`: where the figures go (default `notebook/figures/`).

# %%
import os
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sightline.config import REPO_ROOT, get_settings

QUICK = os.environ.get("SIGHTLINE_NOTEBOOK_QUICK", "1") == "1"
DATA = os.environ.get("SIGHTLINE_NOTEBOOK_DATA", "cifar10")
settings = get_settings()  # SIGHTLINE_CIFAR10, the model folder, the dataset cache
# The shared datasets beside the checkout; CIFAR-10 defaults to the lossless copy there.
SHARED_DATASETS = REPO_ROOT.parent / "shared" / "datasets"
LOSSLESS_CIFAR10 = SHARED_DATASETS / "cifar10-png.zip"
CIFAR10 = settings.cifar10 or (str(LOSSLESS_CIFAR10) if LOSSLESS_CIFAR10.exists() else None)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # quiet TensorFlow's C++ start-up logs
FIGURES = Path(os.environ.get("SIGHTLINE_NOTEBOOK_FIGURES", REPO_ROOT / "notebook" / "figures"))
# Figures that show the dataset's own pixels go to a git-ignored folder: CIFAR-10 is not
# ours to commit, not even as thumbnails. Plots of numbers are small and are committed.
DATA_FIGURES = FIGURES / "images"
DATA_FIGURES.mkdir(parents=True, exist_ok=True)
WORK = Path(tempfile.mkdtemp(prefix="sightline-notebook-"))  # the quick model, the shapes
notebook_started = time.perf_counter()


def save(fig, name, shows_data=False):
    """Show a figure here and keep a PNG of it under the figures folder."""
    folder = DATA_FIGURES if shows_data else FIGURES
    fig.savefig(folder / f"{name}.png", dpi=80, bbox_inches="tight")
    plt.show()
    plt.close(fig)


print(f"quick setting: {QUICK}, data: {DATA}, CIFAR-10: {CIFAR10}, figures: {FIGURES}")

# %% [markdown]
# ## 1. The data
#
# `load_dataset` reads CIFAR-10 (a zip of image folders, the official tarball, or a
# download) or any image-folder dataset laid out as `train/<class>/*.jpg` and
# `test/<class>/*.jpg`. The class names come from the folder names. Every image goes
# through the same decoding function the API uses for uploads (section 2), and the decoded
# arrays are cached, so the second load takes a second instead of decoding 60,000 JPEGs.
#
# A `Dataset` holds raw `uint8` pixels, shape `(N, 32, 32, 3)`, and integer labels that
# index `class_names`.

# %%
from sightline.data.datasets import load_dataset
from sightline.data.synthetic import SHAPES, make_shapes_dataset

if DATA == "cifar10" and not CIFAR10:
    print("No CIFAR-10 here (SIGHTLINE_CIFAR10): using a generated shapes dataset instead.")
    DATA = "shapes"
if DATA == "shapes":
    train_per_class, test_per_class = (200, 50) if QUICK else (1000, 200)
    source = str(make_shapes_dataset(WORK / "shapes", SHAPES, train_per_class, test_per_class))
else:
    source = DATA
dataset = load_dataset(source, cifar10_source=CIFAR10, cache_dir=settings.resolved_cache_dir)
if QUICK:
    # A random subset keeps the quick run to a few minutes on two CPU cores.
    dataset = dataset.subset(5000, 1000, seed=0)
names = dataset.class_names
print(f"{dataset.name}: train {dataset.x_train.shape}, test {dataset.x_test.shape}")
print("classes:", names)

# %% [markdown]
# How many images each class has matters: a classifier trained on unbalanced data
# leans towards the big classes, and accuracy alone hides it. CIFAR-10 is balanced
# (5,000 training and 1,000 test images per class); a random subset is nearly so.

# %%
train_counts, test_counts = dataset.counts("train"), dataset.counts("test")
positions = np.arange(len(names))
fig, ax = plt.subplots(figsize=(8, 3))
ax.bar(positions - 0.2, list(train_counts.values()), 0.4, label="train")
ax.bar(positions + 0.2, list(test_counts.values()), 0.4, label="test")
ax.set_xticks(positions, names, rotation=30)
ax.set_ylabel("images")
ax.set_title("Images per class")
ax.legend()
save(fig, "class_distribution")

# %%
samples_per_class = 6
rng = np.random.default_rng(0)
fig, axes = plt.subplots(
    len(names), samples_per_class, figsize=(6, 1.0 * len(names)), squeeze=False
)
for row, name in enumerate(names):
    picks = rng.choice(np.flatnonzero(dataset.y_train == row), samples_per_class, replace=False)
    for col, index in enumerate(picks):
        axes[row, col].imshow(dataset.x_train[index])
        axes[row, col].axis("off")
    axes[row, 0].set_title(name, fontsize=8, loc="left")
fig.suptitle("Training images, 32x32 pixels each")
save(fig, "samples", shows_data=True)

# %% [markdown]
# ## 2. Preprocessing
#
# One function turns an uploaded file into model input, for training and serving alike,
# so the two can never disagree: `decode_image` decodes any format Pillow reads, turns the
# image upright as its EXIF tag says (phones store photos sideways), converts any colour
# mode to RGB and keeps the first frame of an animation; `image_to_input` then resizes it
# with antialiasing to the model's 32x32.
#
# Normalisation (subtracting the training set's mean, dividing by its standard deviation)
# is *not* done here: it is the first layer of the saved model. Clients send plain 0-255
# pixels, and there is no preprocessing code that could drift out of step.
#
# Below, a 320x320 JPEG as a phone might send it: the pixels are stored sideways and an
# EXIF tag says to rotate them by 90 degrees.

# %%
import io

from PIL import Image

from sightline.data.preprocessing import decode_image, image_to_input
from sightline.data.synthetic import draw_shape

EXIF_ORIENTATION = 0x0112  # the EXIF tag; 6 means "rotate 90 degrees clockwise to view"
upright = draw_shape("triangle", np.random.default_rng(3), size=320)
exif = Image.Exif()
exif[EXIF_ORIENTATION] = 6
buffer = io.BytesIO()
upright.rotate(90, expand=True).save(buffer, "JPEG", quality=90, exif=exif)
upload = buffer.getvalue()

stored = Image.open(io.BytesIO(upload))  # the pixels as stored, tag not applied
decoded = decode_image(upload)
model_input = image_to_input(upload, dataset.image_size)
print(f"upload: {len(upload):,} bytes of JPEG")
print(f"model input: {model_input.shape} {model_input.dtype}, pixel values 0-255 as stored")

fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.8))
panels = [
    (stored, f"stored pixels, {stored.width}x{stored.height}"),
    (decoded, f"decode_image: upright, {decoded.width}x{decoded.height}"),
    (model_input, f"image_to_input: {model_input.shape[1]}x{model_input.shape[0]}"),
]
for ax, (image, title) in zip(axes, panels, strict=True):
    ax.imshow(image, interpolation="nearest")
    ax.set_title(title, fontsize=9)
    ax.axis("off")
save(fig, "preprocessing")

# %% [markdown]
# ## 3. Training
#
# `train_and_save` is the step `sightline train` and the retraining worker run: train,
# save the model, evaluate it on the test split, and write its *card* (`card.json`: metrics,
# training history, the configuration, the machine, the command).
#
# The recipe follows airbench94 (Jordan, 2024), the fastest known way to 94% on CIFAR-10:
#
# - a small VGG-like network: three groups of two 3x3 convolutions with batch-norm and GELU;
# - a frozen first layer that *whitens* 2x2 patches (it is computed from the data's patch
#   covariance, not learned), so the next layers start from decorrelated inputs;
# - identity-initialised convolutions, label smoothing (the target is 0.8 for the right
#   class, not 1, which keeps the network from becoming overconfident);
# - Nesterov SGD with a triangular learning rate (up for the first 23% of the steps, then
#   linearly down to 7% of its peak), and
#   *lookahead*: every few steps the weights are pulled towards their running average;
# - augmentation: each image is mirrored in every other epoch, and shifted by up to 2 pixels.
#
# The quick setting keeps the recipe but shrinks the network (16/32/32 channels instead of
# 64/256/256) and trains 8 epochs with small batches; `sightline train` runs the full one.

# %%
from sightline.ml.artifacts import load_model
from sightline.ml.pipeline import train_and_save
from sightline.ml.training import QUICK as QUICK_CONFIG
from sightline.ml.training import TrainConfig

config = QUICK_CONFIG if QUICK else TrainConfig()
print(f"epochs {config.epochs}, batch {config.batch_size}, widths {config.widths}")


def print_epoch(epoch, logs):
    print(f"epoch {epoch}: " + ", ".join(f"{key} {value:.3f}" for key, value in logs.items()))


model_dir = WORK / "model"
card = train_and_save(
    dataset, config, model_dir, command="notebook/sightline_walkthrough.ipynb", on_epoch=print_epoch
)
model = load_model(model_dir)  # the saved serving model, loaded as the API loads it
print(
    f"trained {card.training.steps} steps in {card.training.seconds:.0f} s; "
    f"test accuracy {card.metrics.accuracy:.1%}"
)

# %% [markdown]
# ### Learning curves
#
# The card keeps the history of every epoch; the API's `/api/metrics` and the dashboard
# show the same numbers. *Train* figures are measured on the augmented training batches
# as they go by, with label smoothing, so the training loss cannot reach zero.
# *Validation* figures are measured after each epoch on a fixed sample of test images
# (`val_size` in the configuration). A validation curve that turns up while the training
# curve keeps falling would mean overfitting; a short run like this one usually stops
# while both still improve.

# %%
history = card.history
epochs = np.arange(1, len(history["loss"]) + 1)
fig, axes = plt.subplots(1, 2, figsize=(9, 3))
for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
    ax.plot(epochs, history[metric], marker="o", label="train")
    ax.plot(epochs, history[f"val_{metric}"], marker="o", label="validation")
    ax.set_title(metric)
    ax.set_xlabel("epoch")
    ax.legend()
save(fig, "learning_curves")

# %% [markdown]
# ## 4. Evaluation
#
# `evaluate_model` scores a serving model on the test split and produces the report the
# card stores and `/api/metrics` serves: accuracy, macro precision/recall/F1, per-class
# figures and the confusion matrix, plus the *uncertainty threshold*: the confidence below
# which the service flags a prediction as `uncertain` (the lowest confidence at which the
# test predictions above it are right at least 97% of the time).
#
# Evaluating the model loaded from disk must give the card's accuracy: the saved file is
# the whole model, normalisation and test-time flip averaging included.

# %%
from sightline.ml.pipeline import evaluate_model

report, seconds = evaluate_model(model, dataset)
metrics = report["metrics"]
uncertainty = report["uncertainty"]
print(f"test accuracy {metrics['accuracy']:.2%} on {len(dataset.y_test)} images ({seconds:.1f} s)")
print(
    f"macro precision {metrics['precision']:.3f}, recall {metrics['recall']:.3f}, "
    f"F1 {metrics['f1']:.3f}"
)
print(
    f"uncertain below confidence {uncertainty['threshold']:.3f}: "
    f"{uncertainty['flagged_share']:.1%} of the test images are flagged"
)
# At most one image may flip between the in-memory and the reloaded model (float noise).
assert abs(metrics["accuracy"] - card.metrics.accuracy) <= 1 / len(dataset.y_test)

# %% [markdown]
# The **confusion matrix** counts, for each true class (row), what the model predicted
# (column); the diagonal holds the right answers. Off-diagonal cells show which classes
# the model mixes up: on CIFAR-10, cats and dogs, and automobiles and trucks. **Per-class
# accuracy** is the diagonal divided by the row total (the class's recall).

# %%
matrix = np.array(metrics["confusion_matrix"])
row_share = matrix / np.maximum(1, matrix.sum(axis=1, keepdims=True))
fig, ax = plt.subplots(figsize=(6.5, 5.5))
ax.imshow(row_share, cmap="Blues", vmin=0, vmax=1)
ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
ax.set_yticks(range(len(names)), names)
ax.set_xlabel("predicted")
ax.set_ylabel("true class")
for true in range(len(names)):
    for predicted_class in range(len(names)):
        colour = "white" if row_share[true, predicted_class] > 0.5 else "black"
        count = matrix[true, predicted_class]
        ax.text(predicted_class, true, count, ha="center", va="center", fontsize=7, color=colour)
ax.set_title(f"Confusion matrix ({len(dataset.y_test)} test images)")
save(fig, "confusion_matrix")

per_class_accuracy = {name: metrics["per_class"][name]["accuracy"] for name in names}
fig, ax = plt.subplots(figsize=(6, 0.3 * len(names) + 1))
ax.barh(names, list(per_class_accuracy.values()))
ax.axvline(metrics["accuracy"], color="grey", linestyle="--", label="overall")
ax.set_xlim(0, 1)
ax.invert_yaxis()
ax.set_xlabel("accuracy")
ax.set_title("Per-class accuracy")
ax.legend(loc="lower right")
save(fig, "per_class_accuracy")

# %% [markdown]
# ### The hardest mistakes
#
# The most *confident* wrong answers are the most instructive: some are genuinely
# ambiguous or mislabelled images, others show what the model relies on too much (a blue
# background means *ship*, a green one *frog*). `predict_probabilities` runs the serving
# model over a batch of raw images, as the API does.

# %%
from sightline.ml.training import predict_probabilities

probabilities = predict_probabilities(model, dataset.x_test)
predicted = probabilities.argmax(axis=1)
confidence = probabilities.max(axis=1)
wrong = np.flatnonzero(predicted != dataset.y_test)
print(f"{len(wrong)} of {len(dataset.y_test)} test images are misclassified")
if len(wrong):
    hardest, title = wrong[np.argsort(-confidence[wrong])][:12], "The most confident mistakes"
else:  # an easy dataset (the shapes): show the answers the model was least sure of
    hardest, title = np.argsort(confidence)[:12], "No mistakes: the least confident answers"

fig, axes = plt.subplots(2, 6, figsize=(10, 4.2))
for ax in axes.flat:
    ax.axis("off")
for ax, index in zip(axes.flat, hardest, strict=False):  # fewer mistakes than axes: fine
    ax.imshow(dataset.x_test[index])
    ax.set_title(
        f"said {names[predicted[index]]} {confidence[index]:.0%}\n"
        f"is {names[dataset.y_test[index]]}",
        fontsize=8,
    )
fig.suptitle(title)
save(fig, "hardest_mistakes", shows_data=True)

# %% [markdown]
# ## 5. Inside the network
#
# The saved serving model wraps the network proper, a nested Keras model named
# `backbone`: raw pixels go through the `normalize` layer, then the backbone (twice:
# once mirrored, and the two answers are averaged). Asking the backbone for the outputs
# of its first layers shows what they respond to, here for a test image the model gets
# right. `whiten_act` follows the frozen whitening layer (edges and colour contrasts at the
# finest scale); `block1_*` and `block2_*` are the first two convolution groups, each
# after a 2x2 max-pool, so the maps get coarser and more abstract. For each layer the
# channels with the strongest response are shown (bright = strong).

# %%
import keras

from sightline.ml.model import BACKBONE_NAME

backbone = model.get_layer(BACKBONE_NAME)
normalize = model.get_layer("normalize")
layer_names = ["whiten_act", "block1_act1", "block1_act2", "block2_act1"]
probe = keras.Model(backbone.inputs, [backbone.get_layer(name).output for name in layer_names])

# The test image the model is most sure of and right about.
example = int(np.argmax(np.where(predicted == dataset.y_test, confidence, -1.0)))
image = dataset.x_test[example : example + 1]
feature_maps = [np.asarray(output)[0] for output in probe(normalize(image.astype("float32")))]

channels_shown = 7
fig, axes = plt.subplots(
    len(layer_names), channels_shown + 1, figsize=(10, 1.35 * len(layer_names)), squeeze=False
)
for ax in axes.flat:
    ax.axis("off")
axes[0, 0].imshow(image[0])
axes[0, 0].set_title(f"input: {names[dataset.y_test[example]]}", fontsize=8)
for row, (name, maps) in enumerate(zip(layer_names, feature_maps, strict=True)):
    height, width, depth = maps.shape
    axes[row, 1].set_title(f"{name}: {height}x{width}x{depth}", fontsize=8, loc="left")
    strongest = np.argsort(-maps.mean(axis=(0, 1)))[:channels_shown]
    for col, channel in enumerate(strongest, start=1):
        axes[row, col].imshow(maps[..., channel], cmap="viridis")
save(fig, "feature_maps", shows_data=True)

# %% [markdown]
# ## 6. The shipped model
#
# `models/cifar10/` holds the model the service starts from, trained with the full recipe
# on all 50,000 training images (`make train`). Its card records how well it does on the
# 10,000 test images and how it was trained; on CIFAR-10 it is also scored here on the
# same test images as the quick model above.

# %%
from sightline.ml.artifacts import MODEL_FILE
from sightline.ml.card import load_card

shipped_dir = settings.model_dir
shipped_card = load_card(shipped_dir) if (shipped_dir / MODEL_FILE).exists() else None
if shipped_card is None:
    print(f"No shipped model in {shipped_dir} yet: `make train` trains one.")
elif shipped_card.metrics is None:
    print(f"The model in {shipped_dir} has no test metrics yet: it is still being evaluated.")
else:
    shipped_metrics = shipped_card.metrics
    training = shipped_card.training
    print(
        f"test accuracy {shipped_metrics.accuracy:.2%} on "
        f"{shipped_metrics.evaluated_on.n:,} test images"
    )
    parameters = shipped_card.architecture.parameters if shipped_card.architecture else 0
    print(f"{parameters:,} parameters, {(shipped_dir / MODEL_FILE).stat().st_size / 1e6:.1f} MB")
    if training.seconds is not None and training.machine is not None:
        print(
            f"trained in {training.seconds / 60:.0f} min on {training.machine.cpu} "
            f"({training.machine.cores} cores)"
        )
    print("command:", training.command)
    for name, row in shipped_metrics.per_class.items():
        print(f"  {name:>12} {row.accuracy:.1%}")
    if DATA == "cifar10" and shipped_card.class_names == names:
        shipped_report, _ = evaluate_model(load_model(shipped_dir), dataset)
        shipped_here = shipped_report["metrics"]
        print(
            f"on this notebook's {len(dataset.y_test)} test images: shipped "
            f"{shipped_here['accuracy']:.1%}, quick model {metrics['accuracy']:.1%}"
        )
        fig, ax = plt.subplots(figsize=(8, 3))
        compared = {"quick model": metrics, "shipped model": shipped_here}
        for offset, (label, scored) in zip((-0.2, 0.2), compared.items(), strict=True):
            per_class = [scored["per_class"][name]["accuracy"] for name in names]
            ax.bar(positions + offset, per_class, 0.4, label=label)
        ax.set_xticks(positions, names, rotation=30)
        ax.set_ylim(0, 1)
        ax.set_ylabel("accuracy")
        ax.set_title("Per-class accuracy on the same test images")
        ax.legend(loc="lower right")
        save(fig, "shipped_vs_quick")

# %% [markdown]
# ## 7. Your own photos: from scratch or fine-tuned
#
# The data set a user brings is small: `catsdogs-small.zip` holds 800 photos of cats and
# 800 of dogs for training, 200 of each for testing. From scratch, a network has to learn
# edges, textures and shapes from those 1,600 images alone. Fine-tuning starts from a
# model that has learned them already: `ml.transfer` rebuilds the CIFAR-10 network's
# backbone at the photos' input size (it is convolutional up to a global pool, so 48 px
# works as well as 32) with its weights, gives it a new head for the new classes (a class
# it knows by name, such as `cat`, starts from its own row), trains the head on the
# frozen backbone, then every layer at a lower learning rate.
#
# `sightline train --data catsdogs-small.zip --from models/cifar10` does the same from
# the command line, and `make bench-transfer` measures both ways on the whole set. The
# quick setting fine-tunes the quick model of section 3 on a subset, at 32 px, for three
# epochs; the full setting fine-tunes the shipped model.

# %%
from sightline.ml.transfer import (
    QUICK_TRANSFER,
    TransferConfig,
    fine_tune,
    networks_from_parent,
    train_from_scratch,
)

CATSDOGS = Path(os.environ.get("SIGHTLINE_CATSDOGS", SHARED_DATASETS / "catsdogs-small.zip"))
transfer_config = QUICK_TRANSFER if QUICK else TransferConfig()
side = transfer_config.image_size
if CATSDOGS.exists():
    photos = load_dataset(
        str(CATSDOGS), cache_dir=settings.resolved_cache_dir, image_size=(side, side)
    )
else:
    print(f"{CATSDOGS} is not here: two generated shapes stand in for the photos.")
    two_shapes = make_shapes_dataset(WORK / "two_shapes", ("circle", "cross"), 200, 50, size=side)
    photos = load_dataset(str(two_shapes), image_size=(side, side))
if QUICK:
    photos = photos.subset(400, 200, seed=0)
parent_dir = model_dir if QUICK else settings.model_dir
parent_card = load_card(parent_dir)
print(
    f"{photos.name}: {len(photos.y_train)} train, {len(photos.y_test)} test images at "
    f"{side} px; the parent knows {parent_card.class_names}"
)

print("From scratch:")
scratch = train_from_scratch(photos, transfer_config, on_epoch=print_epoch)
print("Fine-tuned (the head first, then every layer):")
parent_networks = networks_from_parent(
    load_model(parent_dir), parent_card.class_names, photos.class_names, side
)
fine_tuned = fine_tune(photos, parent_networks, transfer_config, on_epoch=print_epoch)
for label, result in (("from scratch", scratch), ("fine-tuned", fine_tuned)):
    guesses = predict_probabilities(result.networks.serving_model, photos.x_test).argmax(axis=1)
    print(
        f"{label}: test accuracy {np.mean(guesses == photos.y_test):.1%}, "
        f"trained in {result.seconds:.0f} s"
    )

# %% [markdown]
# The curves show validation accuracy after each epoch. The fine-tuned model starts where
# the parent's knowledge puts it and the head phase (left of the dotted line) lifts it
# further before the backbone moves at all; the model trained from scratch starts at chance.

# %%
fig, ax = plt.subplots(figsize=(7, 3))
for label, result in (("from scratch", scratch), ("fine-tuned", fine_tuned)):
    accuracy = result.history["val_accuracy"]
    ax.plot(np.arange(1, len(accuracy) + 1), accuracy, marker="o", label=label)
ax.axvline(transfer_config.head_epochs + 0.5, color="grey", linestyle=":", label="backbone thawed")
ax.set_xlabel("epoch")
ax.set_ylabel("validation accuracy")
ax.set_title(f"{photos.name}: from scratch vs fine-tuned")
ax.legend(loc="lower right")
save(fig, "transfer_curves")

# %% [markdown]
# ## Where next
#
# - `sightline train` trains the full recipe (`--epochs`, `--width`, `--batch-size`,
#   `--seed`); `sightline eval` scores a saved model; `make bench-model` measures the
#   shipped model's accuracy, latency and size.
# - `sightline train --data YOUR_PHOTOS --from models/cifar10` (or `--from auto`, or
#   `--backbone mobilenetv3small` with ImageNet weights) fine-tunes a model for your own
#   classes; the README walks through serving and retraining it.
# - `make run` starts the API and the dashboard with the shipped model: upload an image,
#   see its Grad-CAM explanation, label mistakes, and retrain.

# %%
print(f"notebook ran in {time.perf_counter() - notebook_started:.0f} s")
