"""A model version in the formats other tools load: SavedModel, ONNX, OpenVINO IR.

Every format is made from the serving model, which takes raw 0-255 images (N, H, W, 3)
and returns probabilities: preprocessing is inside the graph, so whoever loads an
export feeds it pixels and gets the same answers as the API. The SavedModel that
``model.export`` writes is the source of the other two. OpenVINO and ONNX are optional
dependencies: asking for a format whose converter is not installed is an
``ExportUnavailable`` error, never a crash.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from sightline.errors import SightlineError
from sightline.ml.artifacts import load_model
from sightline.ml.card import CARD_FILE
from sightline.ml.registry import ModelRegistry

FORMATS = ("savedmodel", "onnx", "openvino")
OPENVINO_XML = "model.xml"
ONNX_FILE = "model.onnx"
ONNX_OPSET = 17


class ExportUnavailable(SightlineError):
    status_code = 501
    code = "export_unavailable"


class UnknownFormat(SightlineError):
    status_code = 422
    code = "unknown_format"


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise UnknownFormat(f"Unknown export format {name!r}; known: {', '.join(FORMATS)}.")
    return name


def export_savedmodel(model: keras.Model, out_dir: Path) -> Path:
    """A TensorFlow SavedModel (``serve`` endpoint: float32 pixels in, probabilities out)."""
    model.export(str(out_dir), format="tf_saved_model", verbose=False)
    return out_dir


def openvino_version() -> str:
    """The installed OpenVINO's release (2026.4.1); ExportUnavailable when it is not
    installed."""
    try:
        import openvino
    except ImportError as exc:
        raise ExportUnavailable("OpenVINO is not installed (pip install openvino).") from exc
    return str(openvino.get_version()).split("-")[0]


def export_openvino(model: keras.Model, out_dir: Path) -> Path:
    """OpenVINO IR (model.xml + model.bin) converted from the SavedModel, weights in float32
    (the device picks its inference precision when it compiles the model)."""
    openvino_version()
    import openvino

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sightline-export-") as scratch:
        source = export_savedmodel(model, Path(scratch) / "savedmodel")
        converted = openvino.convert_model(str(source))
        openvino.save_model(converted, str(out_dir / OPENVINO_XML), compress_to_fp16=False)
    return out_dir


def export_onnx(model: keras.Model, out_dir: Path) -> Path:
    """ONNX through tf2onnx, mended where tf2onnx leaves a file no runtime loads, then
    checked by ONNX itself. Input ``image``: raw 0-255 pixels, float32 (N, H, W, 3)."""
    try:
        import onnx
        import tensorflow as tf
        import tf2onnx
    except ImportError as exc:
        raise ExportUnavailable("ONNX export needs tf2onnx (pip install tf2onnx).") from exc
    # tf2onnx logs Erfc as an error, mended below; any other op it leaves fails ONNX's check.
    logging.getLogger("tf2onnx").setLevel(logging.CRITICAL)
    spec = [tf.TensorSpec((None, *model.input_shape[1:]), tf.float32, name="image")]
    serve = tf.function(lambda images: model(images, training=False), input_signature=spec)
    converted, _ = tf2onnx.convert.from_function(serve, input_signature=spec, opset=ONNX_OPSET)
    _freeze_captured_constants(converted.graph, serve.get_concrete_function())
    _erfc_as_one_minus_erf(converted.graph)
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx.save(converted, str(out_dir / ONNX_FILE))
    check_onnx(out_dir / ONNX_FILE)
    return out_dir


def _freeze_captured_constants(graph: Any, concrete: Any) -> None:
    """tf2onnx turns the constants a traced function captured (the normalisation's mean
    and variance) into graph inputs: make them initializers with their values."""
    import tensorflow as tf
    from onnx import numpy_helper

    values = {
        inner.name: outer.numpy()
        for outer, inner in zip(
            concrete.captured_inputs, concrete.graph.internal_captures, strict=True
        )
        if outer.dtype != tf.resource
    }
    inputs = [graph_input for graph_input in graph.input if graph_input.name not in values]
    for graph_input in graph.input:
        if graph_input.name in values:
            graph.initializer.append(
                numpy_helper.from_array(np.asarray(values[graph_input.name]), graph_input.name)
            )
    del graph.input[:]
    graph.input.extend(inputs)


def _erfc_as_one_minus_erf(graph: Any) -> None:
    """Exact GELU traces to TensorFlow's Erfc, which tf2onnx copies as is though ONNX has
    no such operator: write each as 1 - Erf(x)."""
    from onnx import helper, numpy_helper

    one = "sightline_erfc_one"
    nodes = []
    for node in graph.node:
        if node.op_type != "Erfc":
            nodes.append(node)
            continue
        erf = f"{node.output[0]}_erf"
        nodes.append(helper.make_node("Erf", [node.input[0]], [erf], name=f"{node.name}_erf"))
        nodes.append(helper.make_node("Sub", [one, erf], [node.output[0]], name=node.name))
    if len(nodes) != len(graph.node):
        graph.initializer.append(numpy_helper.from_array(np.array(1.0, np.float32), one))
    del graph.node[:]
    graph.node.extend(nodes)


def check_onnx(path: Path) -> None:
    """Refuse a file ONNX itself rejects (an operator tf2onnx could not convert)."""
    import onnx

    try:
        onnx.checker.check_model(str(path), full_check=True)
    except onnx.checker.ValidationError as exc:
        first_line = str(exc).splitlines()[0]
        raise ExportUnavailable(f"tf2onnx cannot convert this model to ONNX: {first_line}") from exc


EXPORTERS: dict[str, Any] = {
    "savedmodel": export_savedmodel,
    "onnx": export_onnx,
    "openvino": export_openvino,
}


def export_model_dir(model_dir: Path, fmt: str, out_dir: Path) -> Path:
    """Write ``model_dir``'s model in ``fmt`` into ``out_dir`` (created), with its card."""
    exporter = EXPORTERS[check_format(fmt)]
    model = load_model(model_dir)
    out_dir = Path(out_dir)
    exporter(model, out_dir)
    shutil.copyfile(Path(model_dir) / CARD_FILE, out_dir / CARD_FILE)
    return out_dir


def zip_folder(folder: Path, archive: Path) -> Path:
    """``folder``'s files in a zip, paths relative to the folder."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(folder).as_posix())
    return archive


def export_version_zip(registry: ModelRegistry, version: str, fmt: str, scratch: Path) -> Path:
    """A registered version in ``fmt``, zipped into ``scratch`` (the caller removes it)."""
    check_format(fmt)
    folder = registry.path(registry.get(version).version)
    exported = export_model_dir(folder, fmt, scratch / f"{version}-{fmt}")
    return zip_folder(exported, scratch / f"sightline-{version}-{fmt}.zip")


@dataclass(frozen=True)
class ExportArchive:
    """A zipped export in a scratch folder of its own; ``discard`` removes both."""

    path: Path

    def discard(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)


def export_version_archive(registry: ModelRegistry, version: str, fmt: str) -> ExportArchive:
    """``export_version_zip`` in a fresh scratch folder, removed again if the export fails."""
    scratch = Path(tempfile.mkdtemp(prefix="sightline-export-"))
    try:
        return ExportArchive(export_version_zip(registry, version, fmt, scratch))
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
