"""The `sightline` command: train, evaluate, serve, run the retraining worker."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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
    from sightline.ml.card import Metrics, ModelCard, Uncertainty
    from sightline.ml.train_request import TrainRequest
    from sightline.ml.training import EpochCallback, ProgressCallback
    from sightline.ml.training import Progress as TrainingProgress
    from sightline.ml.transfer import CandidateScore

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
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="A preset file (configs/train/*.toml) whose keys are these flags' names; "
            "flags given beside it override its values.",
        ),
    ] = None,
    data: Annotated[
        str | None,
        typer.Option(help='"cifar10" (the default) or an image-folder dataset (folder or .zip).'),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Model folder to write (default: models/cifar10).")
    ] = None,
    quick: Annotated[
        bool | None, typer.Option(help="A small, fast model for tests and demos.")
    ] = None,
    epochs: Annotated[float | None, typer.Option(help="Epochs (fractions allowed).")] = None,
    width: Annotated[
        int | None,
        typer.Option(help="Width multiplier base: block widths are width, 4*width, 4*width."),
    ] = None,
    batch_size: Annotated[int | None, typer.Option()] = None,
    seed: Annotated[int | None, typer.Option(help="Default 0.")] = None,
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
            help="Share of training images seen JPEG-compressed, 0 to 1 (default 0.4, 0 with "
            "--quick).",
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
    classifier: Annotated[
        str | None,
        typer.Option(
            help="Register the trained model as a version of this classifier (made, with "
            "the data's classes, when missing): production when it has none, else a "
            "candidate."
        ),
    ] = None,
) -> None:
    """Train a CNN (the airbench94 recipe by default) and save model.keras + card.json.

    With --from or --backbone, fine-tune instead (ml/transfer.py): the backbone is kept,
    a new head is trained for the data's classes, then every layer at a lower rate.
    With --config, start from a preset (configs/train/): the shipped recipe is
    teacher-a, teacher-b, teacher-c, then student."""
    from sightline.ml.train_runner import TrainHooks, UnusableModel, prepare_training

    request = _train_request({k: v for k, v in ctx.params.items() if k != "classifier"})
    if classifier is not None:
        _check_classifier(classifier)  # before the training, not after it
    hooks = TrainHooks(load=_load, say=console.print, show_comparison=_print_comparison)
    try:
        prepared = prepare_training(request, get_settings(), hooks)
    except UnusableModel as error:
        raise typer.BadParameter(str(error), param_hint=error.flag) from error
    args = ["train", *request.as_flags()] if config is not None else sys.argv[1:]
    command = "sightline " + " ".join(shlex.quote(a) for a in args)
    with _training_progress() as (on_progress, on_epoch):
        card = prepared.run(command=command, on_progress=on_progress, on_epoch=on_epoch)
    _print_metrics(card.metrics, card.uncertainty)
    console.print(f"Trained in {card.training.seconds or 0:.0f} s; saved to {request.out}")
    if classifier is not None:
        _register(classifier, request.out)


def _check_classifier(name: str) -> None:
    from sightline.errors import SightlineError
    from sightline.ml.train_runner import check_classifier

    try:
        check_classifier(get_settings(), name)
    except SightlineError as error:
        raise typer.BadParameter(error.detail, param_hint="--classifier") from error


def _register(name: str, model_dir: Path) -> None:
    """Register the saved model as a version of classifier ``name`` and say as what."""
    from sightline.ml.train_runner import register_trained

    done = register_trained(get_settings(), name, model_dir)
    made = f"Created classifier {name}; registered" if done.created else "Registered"
    role = (
        "production: it answers with this model now"
        if done.production
        else "a candidate: promote it with POST "
        f"/api/classifiers/{name}/models/{done.version}/promote"
    )
    console.print(f"{made} {done.version} as a version of {name}, {role}.")


def _train_request(params: dict[str, Any]) -> TrainRequest:
    """The flags given, over the --config file's values when there is one."""
    import tomllib

    from pydantic import ValidationError

    from sightline.ml.train_request import explain, read_preset, train_request

    preset_file = params.get("config")
    given = {
        name: value
        for name, value in params.items()
        if name != "config" and value not in (None, [], ())
    }
    try:
        preset = read_preset(preset_file) if preset_file is not None else {}
        return train_request(preset, given)
    except tomllib.TOMLDecodeError as error:
        raise typer.BadParameter(str(error), param_hint="--config") from error
    except ValidationError as error:
        raise typer.BadParameter(explain(error)) from error


@contextmanager
def _training_progress() -> Iterator[tuple[ProgressCallback, EpochCallback]]:
    """A progress bar over the steps, and a line per epoch."""
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

        def on_progress(p: TrainingProgress) -> None:
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

        yield on_progress, on_epoch


def _print_comparison(scores: list[CandidateScore]) -> None:
    console.print(comparison_table(scores))


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
    from sightline.ops.malloc import tune_heap
    from sightline.ops.tempdir import private_tempdir

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
    from sightline.db.session import migrate as migrate_database
    from sightline.ops.credentials import resolve_admin_token

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


from sightline.cli_classifiers import classifiers_app  # noqa: E402 - after the commands above
from sightline.ops.commands import scale_app  # noqa: E402

app.add_typer(classifiers_app, name="classifiers")

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
