"""The `sightline` command: train, evaluate, serve, run the retraining worker."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

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
    image_size: Annotated[int, typer.Option(help="Input side in pixels.")] = 32,
    compressed_copy: Annotated[
        str | None,
        typer.Option(
            help="The same dataset JPEG-compressed (e.g. cifar10-jpg.zip): half of the "
            "compression augmentation draws its training images from it."
        ),
    ] = None,
) -> None:
    """Train a CNN (the airbench94 recipe by default) and save model.keras + card.json."""
    from dataclasses import replace

    from sightline.ml.pipeline import train_and_save
    from sightline.ml.training import QUICK, TrainConfig

    config = QUICK if quick else TrainConfig()
    overrides: dict[str, object] = {"seed": seed}
    if epochs is not None:
        overrides["epochs"] = epochs
    if width is not None:
        overrides["widths"] = (width, 4 * width, 4 * width)
    if batch_size is not None:
        overrides["batch_size"] = batch_size
    config = replace(config, **overrides)  # type: ignore[arg-type]
    dataset = _load(data, n_train, n_test, image_size)
    compressed = _load(compressed_copy, n_train, n_test, image_size) if compressed_copy else None
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

        card = train_and_save(
            dataset,
            config,
            out,
            command=command,
            on_progress=on_progress,
            on_epoch=on_epoch,
            compressed_copy=compressed,
        )
    _print_metrics(card["metrics"], card.get("uncertainty"))
    console.print(f"Trained in {card['training']['seconds']:.0f} s; saved to {out}")


@app.command("eval")
def evaluate(
    model: Annotated[Path, typer.Option(help="Model folder (model.keras + card.json).")] = Path(
        "models/cifar10"
    ),
    data: DataOption = "cifar10",
    n_test: Annotated[int | None, typer.Option(help="Evaluate on a random test subset.")] = None,
    update_card: Annotated[bool, typer.Option(help="Write the metrics into card.json.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report here.")] = None,
) -> None:
    """Evaluate a saved model on a dataset's test split."""
    from sightline.ml.artifacts import CARD_FILE, load_model, read_card, write_json
    from sightline.ml.pipeline import evaluate_model

    dataset = _load(data, None, n_test)
    keras_model = load_model(model)
    card = read_card(model)
    if card.get("class_names") and card["class_names"] != dataset.class_names:
        console.print(
            f"[red]The model's classes {card['class_names']} differ from the "
            f"data's {dataset.class_names}.[/]"
        )
        raise typer.Exit(2)
    report, seconds = evaluate_model(keras_model, dataset)
    _print_metrics(report["metrics"], report["uncertainty"])
    console.print(f"Evaluated {len(dataset.y_test)} images in {seconds:.1f} s")
    if json_out:
        write_json(json_out, report)
    if update_card:
        card.update(
            metrics=report["metrics"],
            baseline=report["baseline"],
            uncertainty={**card.get("uncertainty", {}), **report["uncertainty"]},
        )
        write_json(model / CARD_FILE, card)


def _print_metrics(metrics: dict[str, Any], uncertainty: dict[str, Any] | None = None) -> None:
    table = Table(
        title=f"Test accuracy {metrics['accuracy']:.2%} "
        f"(n={metrics.get('evaluated_on', {}).get('n', '?')})"
    )
    for column in ("class", "precision", "recall", "f1", "support"):
        table.add_column(column, justify="right")
    for name, row in metrics["per_class"].items():
        table.add_row(
            name,
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1']:.3f}",
            str(row["support"]),
        )
    table.add_row(
        "macro",
        f"{metrics['precision']:.3f}",
        f"{metrics['recall']:.3f}",
        f"{metrics['f1']:.3f}",
        "",
    )
    console.print(table)
    if metrics.get("roc_auc") is not None:
        console.print(f"ROC-AUC: {metrics['roc_auc']:.4f}")
    if uncertainty:
        console.print(
            f"Uncertain below confidence {uncertainty['threshold']:.3f}: "
            f"{uncertainty['flagged_share']:.1%} of test images flagged"
        )
    console.print(json.dumps({"accuracy": metrics["accuracy"], "f1": metrics["f1"]}))


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
        )


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
