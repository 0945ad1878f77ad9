"""`sightline classifiers`: list, create and delete the named model lines of this service
(ml/classifiers.py), against the database the settings name, as the API would."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from sightline.config import get_settings
from sightline.errors import SightlineError

if TYPE_CHECKING:
    from sightline.ml.classifiers import ClassifierCatalog, ClassifierSummary

classifiers_app = typer.Typer(
    help="The classifiers of this service: list, create, delete.", no_args_is_help=True
)
console = Console()

PARENT_HELP = (
    'What its first training starts from: a classifier (e.g. "cifar10"), "auto" (the best '
    'local start) or "none" (from scratch).'
)


def _catalog() -> ClassifierCatalog:
    """The catalog of the settings' database, migrated and with its default classifier."""
    from sightline.db.session import migrate
    from sightline.ml.classifiers import ClassifierCatalog

    settings = get_settings()
    settings.ensure_dirs()
    if settings.migrate_on_start:
        migrate(settings)
    catalog = ClassifierCatalog(settings)
    catalog.ensure_default()
    return catalog


def _refused(error: SightlineError) -> typer.Exit:
    """Print the domain error's message; the exit the command raises."""
    console.print(f"[red]{error.detail}[/red] ({error.code})", soft_wrap=True)
    return typer.Exit(1)


@classifiers_app.command("list")
def list_classifiers() -> None:
    """Every classifier, active ones first: stage, production version, accuracy, answers
    today, training images, last job."""
    summaries = _catalog().summaries()
    console.print(classifiers_table(summaries))


def classifiers_table(summaries: list[ClassifierSummary]) -> Table:
    table = Table(title="Classifiers", caption="* the default classifier")
    table.add_column("name", no_wrap=True)  # names are what the other commands take
    table.add_column("stage", no_wrap=True)
    for column in ("production", "accuracy", "answers today", "training images"):
        table.add_column(column, justify="right")
    table.add_column("last job")
    for summary in summaries:
        row = summary.classifier
        table.add_row(
            row.name + (" *" if summary.is_default else ""),
            "archived" if row.archived else summary.stage,
            summary.production_version or "-",
            "-" if summary.accuracy is None else f"{summary.accuracy:.2%}",
            str(summary.predictions_today),
            str(summary.training_images),
            _last_job(summary),
        )
    return table


def _last_job(summary: ClassifierSummary) -> str:
    job = summary.last_job
    if job is None:
        return "-"
    when = job.finished_at or job.created_at
    return f"{job.status} {when:%Y-%m-%d %H:%M}"


@classifiers_app.command("create")
def create_classifier(
    name: Annotated[str, typer.Argument(help="A slug: lowercase letters, digits, hyphens.")],
    parent: Annotated[str, typer.Option(help=PARENT_HELP)] = "auto",
    class_: Annotated[
        list[str] | None,
        typer.Option("--class", help="A class it will learn; repeat it for each one."),
    ] = None,
) -> None:
    """Make a classifier; then give it labelled images and train it."""
    catalog = _catalog()
    try:
        created = catalog.create(name, None if parent == "none" else parent, class_ or [])
    except SightlineError as error:
        raise _refused(error) from error
    classes = ", ".join(created.classes) or "none yet"
    console.print(
        f"Created classifier [bold]{created.name}[/] (parent {created.parent or 'none'}; "
        f"classes: {classes})."
    )


@classifiers_app.command("delete")
def delete_classifier(
    name: str,
    purge: Annotated[
        bool,
        typer.Option(help="Remove its history, versions and training data too (no undo)."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Purge without asking.")] = False,
) -> None:
    """Archive a classifier (it answers no more; its history stays readable), or with
    --purge remove it and its data."""
    catalog = _catalog()
    try:
        if not purge:
            catalog.archive(name)
            console.print(f"Archived {name}: it answers no more; its history stays readable.")
            return
        catalog.get(name)  # unknown: say so before asking
        if not yes and not typer.confirm(
            f"Purge {name!r}: its history, versions and training data, with no undo?"
        ):
            console.print("Nothing purged.")
            raise typer.Exit(1)
        catalog.purge(name)
    except SightlineError as error:
        raise _refused(error) from error
    console.print(f"Purged {name} and its data.")
