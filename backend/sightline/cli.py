"""The `sightline` command: train, evaluate, serve, run the retraining worker."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from sightline.config import get_settings
from sightline.data.datasets import Dataset, load_dataset

if TYPE_CHECKING:
    from sightline.ml.card import Distillation, Metrics, ModelCard, Uncertainty
    from sightline.ml.model import Networks
    from sightline.ml.training import EpochCallback, ProgressCallback, SoftTargets, TrainConfig
    from sightline.ml.transfer import CandidateScore, Start, TransferConfig

app = typer.Typer(
    help="Sightline: train, evaluate and serve an image classifier.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()

DataOption = Annotated[
    str, typer.Option("--data", help='"cifar10" or an image-folder dataset (folder or .zip).')
]


def _load(
    data: str, n_train: int | None = None, n_test: int | None = None, image_size: int = 32
) -> Dataset:

    settings = get_settings()
    with console.status(f"Loading {data}..."):
        dataset = load_dataset(
            data,
            cifar10_source=settings.cifar10,
            cache_dir=settings.resolved_cache_dir,
            image_size=(image_size, image_size),
        )
    if n_train is not None or n_test is not None:
        dataset = dataset.subset(n_train, n_test)
    console.print(
        f"[bold]{dataset.name}[/]: {len(dataset.y_train)} train, "
        f"{len(dataset.y_test)} test images, classes {dataset.class_names}"
    )
    return dataset


@app.command()
def train(
    data: DataOption = "cifar10",
    out: Annotated[Path, typer.Option(help="Model folder to write.")] = Path("models/cifar10"),
    quick: Annotated[bool, typer.Option(help="A small, fast model for tests and demos.")] = False,
    epochs: Annotated[float | None, typer.Option(help="Epochs (fractions allowed).")] = None,
    width: Annotated[
        int | None,
        typer.Option(help="Width multiplier base: block widths are width, 4*width, 4*width."),
    ] = None,
    batch_size: Annotated[int | None, typer.Option()] = None,
    seed: Annotated[int, typer.Option()] = 0,
    n_train: Annotated[int | None, typer.Option(help="Use a random subset of train.")] = None,
    n_test: Annotated[int | None, typer.Option(help="Use a random subset of test.")] = None,
    image_size: Annotated[
        int | None,
        typer.Option(help="Input side in pixels (default: 32 from scratch, 48 fine-tuned)."),
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Fine-tune from a model folder (models/cifar10), a registered version (v3), "
            'or "auto": try each of them and training from scratch on a validation split, '
            "keep the best.",
        ),
    ] = None,
    backbone: Annotated[
        str | None,
        typer.Option(
            help="Fine-tune an ImageNet backbone (mobilenetv3small, efficientnetv2b0); Keras "
            "downloads its weights once, or give them with --weights."
        ),
    ] = None,
    weights: Annotated[
        Path | None, typer.Option(help="A local weights file for --backbone (no download).")
    ] = None,
    compressed_copy: Annotated[
        str | None,
        typer.Option(
            help="The same dataset JPEG-compressed (e.g. cifar10-jpg.zip): half of the "
            "compression augmentation draws its training images from it."
        ),
    ] = None,
    cutout: Annotated[
        int | None,
        typer.Option(help="Side of the square cut out of each training image (0: none)."),
    ] = None,
    compression: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Share of training images seen JPEG-compressed (default 0.4, 0 with --quick).",
        ),
    ] = None,
    precision: Annotated[
        str | None,
        typer.Option(
            help="auto, float32 or bfloat16: the compute type of training from scratch "
            "(auto: bfloat16 on a CPU with AMX/AVX512-BF16). The saved model is float32."
        ),
    ] = None,
    continue_from: Annotated[
        Path | None,
        typer.Option(
            help="Train this saved model further on the same data and classes, --epochs "
            "(default 1) at a fine-tune rate, without cutout unless --cutout is given."
        ),
    ] = None,
    outlier_fields: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Add this many smooth colour fields to the training images, learning the "
            "uniform answer (none of the classes), so that the model stays unsure of images "
            "that are none of them.",
        ),
    ] = None,
    teacher: Annotated[
        list[Path] | None,
        typer.Option(
            help="A trained model folder whose answers on the training images are learned "
            "instead of the labels (distillation); repeat it to learn the teachers' mean."
        ),
    ] = None,
) -> None:
    """Train a CNN (the airbench94 recipe by default) and save model.keras + card.json.

    With --from or --backbone, fine-tune instead (ml/transfer.py): the backbone is kept,
    a new head is trained for the data's classes, then every layer at a lower rate."""
    from sightline.ml.pipeline import train_and_save
    from sightline.ml.training import PRECISIONS, QUICK, TrainConfig

    config = QUICK if quick else TrainConfig()
    overrides: dict[str, object] = {"seed": seed}
    if epochs is not None:
        overrides["epochs"] = epochs
    if width is not None:
        overrides["widths"] = (width, 4 * width, 4 * width)
    if batch_size is not None:
        overrides["batch_size"] = batch_size
    if cutout is not None:
        overrides["cutout"] = cutout
    if compression is not None:
        overrides["compression_probability"] = compression
    if outlier_fields is not None:
        overrides["outlier_fields"] = outlier_fields
    if precision is not None:
        if precision not in PRECISIONS:
            raise typer.BadParameter(", ".join(PRECISIONS), param_hint="--precision")
        overrides["precision"] = precision
    config = replace(config, **overrides)  # type: ignore[arg-type]
    transfer = _transfer_config(from_, backbone, quick, epochs, batch_size, seed, image_size)
    if continue_from is not None and transfer is not None:
        console.print("[red]--continue-from trains a model on; --from/--backbone adapt one.[/]")
        raise typer.Exit(2)
    if continue_from is not None and (quick or width is not None or precision is not None):
        # Not ignored without a word: the saved model fixes its widths, and a saved
        # model trains on in float32 (ml/training.train).
        console.print(
            "[red]--continue-from keeps the saved model's widths and trains in float32: "
            "--quick, --width and --precision do not apply.[/]"
        )
        raise typer.Exit(2)
    if (teacher or outlier_fields) and transfer is not None:
        console.print(
            "[red]--teacher and --outlier-fields train a Sightline CNN; "
            "--from/--backbone adapt one.[/]"
        )
        raise typer.Exit(2)
    size = transfer.image_size if transfer is not None else image_size or 32
    dataset = _load(data, n_train, n_test, size)
    compressed = _load(compressed_copy, n_train, n_test, size) if compressed_copy else None
    networks, parent = None, None
    if continue_from is not None:
        networks, parent_card = _saved_networks(continue_from, dataset)
        parent = parent_card.model_sha256
        config = _continuation(parent_card, epochs, batch_size, seed, cutout, compression)
        config = replace(config, outlier_fields=outlier_fields or 0)
    distillation = _distillation(teacher, dataset) if teacher else None
    command = "sightline " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    with Progress(
        TextColumn("[bold]epoch {task.fields[epoch]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]:.3f} acc {task.fields[acc]:.3f}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("train", total=None, epoch="-", loss=0.0, acc=0.0)

        def on_progress(p):  # type: ignore[no-untyped-def]
            progress.update(
                task,
                completed=p.step,
                total=p.total_steps,
                epoch=f"{p.epoch}/{p.epochs}",
                loss=p.loss,
                acc=p.accuracy,
            )

        def on_epoch(epoch: int, logs: dict[str, float]) -> None:
            progress.console.print(
                f"epoch {epoch}: loss {logs['loss']:.4f} acc {logs['accuracy']:.4f} "
                f"val_loss {logs['val_loss']:.4f} val_acc {logs['val_accuracy']:.4f}"
            )

        if transfer is not None:
            card = _train_transfer(
                dataset,
                _start(from_, backbone, weights, dataset, transfer),
                transfer,
                out,
                command=command,
                on_progress=on_progress,
                on_epoch=on_epoch,
            )
        else:
            card = train_and_save(
                dataset,
                config,
                out,
                command=command,
                on_progress=on_progress,
                on_epoch=on_epoch,
                compressed_copy=compressed,
                networks=networks,
                parent=parent,
                distillation=distillation,
            )
    _print_metrics(card.metrics, card.uncertainty)
    console.print(f"Trained in {card.training.seconds or 0:.0f} s; saved to {out}")


def _saved_networks(model_dir: Path, dataset: Dataset) -> tuple[Networks, ModelCard]:
    """The trainable networks of a saved model, which must know the dataset's classes,
    and its card."""
    from sightline.ml.artifacts import WrongModel, load_model_for
    from sightline.ml.model import networks_from_serving_model

    try:
        model, card = load_model_for(model_dir, dataset.class_names)
    except WrongModel as error:
        raise typer.BadParameter(str(error), param_hint="--continue-from") from error
    return networks_from_serving_model(model), card


def _distillation(teacher_dirs: list[Path], dataset: Dataset) -> tuple[SoftTargets, Distillation]:
    """The teachers' mean answers on the training images, and the card's record of them."""
    from sightline.ml.artifacts import WrongModel
    from sightline.ml.card import Distillation
    from sightline.ml.distillation import load_teacher, teacher_targets

    try:
        teachers = [load_teacher(d, dataset.class_names) for d in teacher_dirs]
    except WrongModel as error:
        raise typer.BadParameter(str(error), param_hint="--teacher") from error
    console.print(f"Asking {len(teachers)} teacher(s) for their answers on the training images")
    targets, seconds = teacher_targets(
        teachers, dataset.x_train, cache_dir=get_settings().resolved_cache_dir
    )
    record = Distillation(teachers=[t.reference() for t in teachers], seconds=round(seconds, 1))
    return targets, record


def _continuation(
    parent: ModelCard,
    epochs: float | None,
    batch_size: int | None,
    seed: int,
    cutout: int | None,
    compression: float | None,
) -> TrainConfig:
    """The recipe for --continue-from: the saved model's widths and batch size (unless
    --batch-size is given), one epoch by default, no cutout unless asked for, the
    recipe's compression share unless --compression is given."""
    from sightline.ml.training import continuation_config

    overrides: dict[str, object] = {"seed": seed, "cutout": cutout or 0}
    if compression is not None:
        overrides["compression_probability"] = compression
    if parent.architecture is not None:
        overrides["widths"] = tuple(parent.architecture.widths)
    saved_batch = parent.training.config.get("batch_size")
    if batch_size is not None or saved_batch is not None:
        overrides["batch_size"] = batch_size or saved_batch
    return continuation_config(epochs or 1.0, **overrides)


def _transfer_config(
    from_: str | None,
    backbone: str | None,
    quick: bool,
    epochs: float | None,
    batch_size: int | None,
    seed: int,
    image_size: int | None,
) -> TransferConfig | None:
    """The fine-tuning recipe when --from or --backbone asks for one, else None."""
    from sightline.ml.transfer import QUICK_TRANSFER, TransferConfig

    if from_ is None and backbone is None:
        return None
    if from_ is not None and backbone is not None:
        console.print("[red]--from and --backbone are two different starts: give one.[/]")
        raise typer.Exit(2)
    config = QUICK_TRANSFER if quick else TransferConfig()
    overrides: dict[str, Any] = {"seed": seed}
    if epochs is not None:
        overrides["epochs"] = epochs
    if batch_size is not None:
        overrides["batch_size"] = batch_size
    if image_size is not None:
        overrides["image_size"] = image_size
    return replace(config, **overrides)


def _start(
    from_: str | None,
    backbone: str | None,
    weights: Path | None,
    dataset: Dataset,
    config: TransferConfig,
) -> Start:
    """What --from / --backbone name; for "auto", the winner of a short comparison."""
    from sightline.ml.transfer import (
        AUTO,
        Start,
        UnknownParent,
        candidate_starts,
        compare_candidates,
        resolve_parent,
    )

    if backbone is not None:
        return Start(backbone=backbone, weights=str(weights) if weights else "imagenet")
    assert from_ is not None
    if from_ == AUTO:
        starts = candidate_starts(get_settings())
        scores = compare_candidates(
            dataset, starts, config, on_trial=lambda s: console.print(f"Trying {s.label} ...")
        )
        console.print(comparison_table(scores))
        console.print(f"Keeping [bold]{scores[0].name}[/]: training it on all the data.")
        return scores[0].start
    try:
        return Start(parent=resolve_parent(from_, get_settings()))
    except UnknownParent as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from error


def comparison_table(scores: list[CandidateScore]) -> Table:
    """The --from auto comparison, best first."""
    table = Table(title="Starts compared on a validation split of the training images")
    for column in ("start", "validation accuracy", "trial seconds", "chosen"):
        table.add_column(column, justify="right")
    for rank, score in enumerate(scores):
        table.add_row(
            score.name,
            f"{score.val_accuracy:.2%}",
            f"{score.seconds:.0f}",
            "yes" if rank == 0 else "",
        )
    return table


def _train_transfer(
    dataset: Dataset,
    start: Start,
    config: TransferConfig,
    out: Path,
    *,
    command: str,
    on_progress: ProgressCallback,
    on_epoch: EpochCallback,
) -> ModelCard:
    from sightline.ml.transfer import transfer_and_save

    console.print(f"Starting from [bold]{start.label}[/] at {config.image_size} px")
    return transfer_and_save(
        dataset,
        start,
        config,
        out,
        command=command,
        on_progress=on_progress,
        on_epoch=on_epoch,
    )


@app.command("eval")
def evaluate(
    model: Annotated[Path, typer.Option(help="Model folder (model.keras + card.json).")] = Path(
        "models/cifar10"
    ),
    data: DataOption = "cifar10",
    n_test: Annotated[int | None, typer.Option(help="Evaluate on a random test subset.")] = None,
    update_card: Annotated[bool, typer.Option(help="Write the metrics into card.json.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report here.")] = None,
    also_test: Annotated[
        list[str] | None,
        typer.Option(
            help="Another copy of the same classes (e.g. cifar10-jpg.zip): its test split's "
            "accuracy is reported beside, and recorded as the card's robustness. Repeatable."
        ),
    ] = None,
) -> None:
    """Evaluate a saved model on a dataset's test split (and on more copies of it)."""
    from sightline.ml.artifacts import load_model, write_json
    from sightline.ml.card import load_card, save_card
    from sightline.ml.pipeline import evaluate_model, robustness_evaluation

    dataset = _load(data, None, n_test)
    keras_model = load_model(model)
    card = load_card(model)
    if card.class_names and card.class_names != dataset.class_names:
        console.print(
            f"[red]The model's classes {card.class_names} differ from the "
            f"data's {dataset.class_names}.[/]"
        )
        raise typer.Exit(2)
    report, seconds = evaluate_model(keras_model, dataset)
    evaluated = card.with_evaluation(report)
    _print_metrics(evaluated.metrics, evaluated.uncertainty)
    console.print(f"Evaluated {len(dataset.y_test)} images in {seconds:.1f} s")
    if also_test:
        robustness = [
            robustness_evaluation(keras_model, _load(spec, None, n_test)) for spec in also_test
        ]
        evaluated = evaluated.model_copy(update={"robustness": robustness})
        _print_robustness(evaluated)
    if json_out:
        write_json(json_out, report)
    if update_card:
        save_card(model, evaluated)


def _print_robustness(card: ModelCard) -> None:
    """Every test set the model was scored on, side by side."""
    table = Table(title="Test accuracy by test set")
    for column in ("test set", "sha256", "images", "accuracy"):
        table.add_column(column, justify="right")
    if card.metrics is not None:
        main = card.training.dataset
        table.add_row(
            card.metrics.evaluated_on.dataset,
            (main.sha256 or "")[:12] if main else "",
            str(card.metrics.evaluated_on.n),
            f"{card.metrics.accuracy:.2%}",
        )
    for row in card.robustness:
        table.add_row(row.dataset, (row.sha256 or "")[:12], str(row.n), f"{row.accuracy:.2%}")
    console.print(table)
    console.print(json.dumps({row.dataset: row.accuracy for row in card.robustness}))


def _print_metrics(metrics: Metrics | None, uncertainty: Uncertainty | None = None) -> None:
    if metrics is None:
        console.print("[yellow]The model has no evaluation.[/]")
        return
    table = Table(title=f"Test accuracy {metrics.accuracy:.2%} (n={metrics.evaluated_on.n})")
    for column in ("class", "precision", "recall", "f1", "support"):
        table.add_column(column, justify="right")
    for name, row in metrics.per_class.items():
        table.add_row(
            name, f"{row.precision:.3f}", f"{row.recall:.3f}", f"{row.f1:.3f}", str(row.support)
        )
    table.add_row(
        "macro", f"{metrics.precision:.3f}", f"{metrics.recall:.3f}", f"{metrics.f1:.3f}", ""
    )
    console.print(table)
    if metrics.roc_auc is not None:
        console.print(f"ROC-AUC: {metrics.roc_auc:.4f}")
    if uncertainty and uncertainty.flagged_share is not None:
        console.print(
            f"Uncertain below confidence {uncertainty.threshold:.3f}: "
            f"{uncertainty.flagged_share:.1%} of test images flagged"
        )
    console.print(json.dumps({"accuracy": metrics.accuracy, "f1": metrics.f1}))


@app.command("demo-data")
def demo_data(
    out: Path,
    classes: Annotated[int, typer.Option(min=2, max=5)] = 3,
    n_train: Annotated[int, typer.Option()] = 60,
    n_test: Annotated[int, typer.Option()] = 20,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Write a small synthetic image-folder dataset (shapes) for demos and tests."""
    from sightline.data.synthetic import SHAPES, make_shapes_dataset

    make_shapes_dataset(out, SHAPES[:classes], n_train, n_test, seed=seed)
    console.print(f"Wrote {out} ({classes} classes, {n_train}+{n_test} images each)")


@contextmanager
def _long_running_process(home: Path) -> Iterator[None]:
    """What the API and the worker set up first: a heap that gives memory back
    (ops/malloc.py), and temporary files under ``home``. Entered before TensorFlow is
    imported, since its import writes a temporary file."""
    from sightline.api.security import private_tempdir
    from sightline.ops.malloc import tune_heap

    tune_heap()
    with private_tempdir(home):
        yield


@app.command()
def serve(
    host: Annotated[str, typer.Option(envvar="HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT")] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    access_log: Annotated[
        bool, typer.Option(help="Log every request (off behind nginx, which logs them).")
    ] = True,
    graceful_timeout: Annotated[
        float,
        typer.Option(help="On SIGTERM, seconds to let requests in flight finish before closing."),
    ] = 20.0,
) -> None:
    """Start the API (uvicorn)."""
    import uvicorn

    with _long_running_process(get_settings().home):
        uvicorn.run(
            "sightline.api.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            proxy_headers=True,
            access_log=access_log,
            timeout_graceful_shutdown=int(graceful_timeout),
        )


@app.command()
def migrate() -> None:
    """Bring the database to the latest schema, under its lock, then exit (the
    Kubernetes Job and the compose one-shot service run this). Prints the admin token
    when it generates one (no SIGHTLINE_ADMIN_TOKEN and none recorded yet)."""
    from sightline.api.auth import resolve_admin_token
    from sightline.db.session import migrate as migrate_database

    settings = get_settings()
    migrate_database(settings)
    console.print("Database migrated.")
    token = resolve_admin_token(settings)
    if token.generated:
        console.print(f"Sightline admin token: {token.generated}", soft_wrap=True)


@app.command()
def worker() -> None:
    """Run the retraining worker: claims queued jobs and runs them, one at a time."""
    settings = get_settings()
    with _long_running_process(settings.home):
        from sightline.jobs.worker import run_worker
        from sightline.monitoring import prometheus
        from sightline.monitoring.logging import configure_logging

        configure_logging()
        prometheus.configure(settings.home)
        console.print("Sightline worker started; waiting for retraining jobs (Ctrl-C stops).")
        run_worker(settings)


from sightline.ops.commands import scale_app  # noqa: E402 - after the commands above

app.add_typer(scale_app, name="scale")

from sightline.ops.retention import export_app, prune_command  # noqa: E402

app.add_typer(export_app, name="export")
app.command("prune")(prune_command)


@app.command("export-model")
def export_model(
    model: Annotated[Path, typer.Option(help="A model folder (model.keras + card.json).")],
    format: Annotated[str, typer.Option(help="savedmodel, onnx or openvino.")],
    out: Annotated[Path, typer.Option(help="The folder to write, or a .zip file.")],
) -> None:
    """Write a model in a format other tools load; the card goes with it."""
    import tempfile

    from sightline.errors import SightlineError
    from sightline.ml.export import export_model_dir, zip_folder

    try:
        if out.suffix == ".zip":
            with tempfile.TemporaryDirectory(prefix="sightline-export-") as scratch:
                zip_folder(export_model_dir(model, format, Path(scratch) / "model"), out)
        else:
            export_model_dir(model, format, out)
    except SightlineError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"Wrote {out} ({format}).")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
