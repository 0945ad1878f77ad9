"""`sightline scale up | stop | status`: the CLI face of ``ops/scale.py``."""

from __future__ import annotations

import signal
import sys
import time
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from sightline.config import get_settings
from sightline.ops.scale import ScaleError, Stack, StackConfig, http_json, web_available

scale_app = typer.Typer(
    help="Several API replicas, the worker and nginx on this machine.", no_args_is_help=True
)
console = Console()


@scale_app.command()
def up(
    replicas: Annotated[int, typer.Option("--replicas", "-n", min=1, max=64)] = 2,
    port: Annotated[int, typer.Option(envvar="PORT", help="nginx's port.")] = 8080,
    api_port: Annotated[int, typer.Option(help="First replica's port; the rest follow.")] = 8001,
    worker: Annotated[bool, typer.Option(help="Run the retraining worker.")] = True,
    web: Annotated[
        bool | None,
        typer.Option(
            help="Serve the dashboard through nginx (default: when frontend/out is built)."
        ),
    ] = None,
    web_port: Annotated[int, typer.Option(envvar="WEB_PORT")] = 3000,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for every replica.")] = 600,
) -> None:
    """Start N replicas, the worker and nginx in the foreground; Ctrl-C stops them all."""
    from sightline.db.session import migrate
    from sightline.ops.credentials import resolve_admin_token

    settings = get_settings()
    config = StackConfig(
        replicas=replicas,
        port=port,
        api_port=api_port,
        worker=worker,
        web=web_available() if web is None else web,
        web_port=web_port,
    )
    stack = Stack(settings, config)
    # A `kill` of this command stops the stack as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        migrate(settings)  # the token's hash lives in the database
        token = resolve_admin_token(settings)  # made once, before N replicas race
        process = stack.start(show_output=True)
    except ScaleError as exc:
        _fail(str(exc))
    try:
        console.print(
            f"Starting {replicas} replicas, {'the worker, ' if worker else ''}nginx"
            f"{' and the dashboard' if config.web else ''} from {stack.run} ..."
        )
        started = time.monotonic()
        stack.wait_ready(timeout)
        _print_ready(stack, time.monotonic() - started, token.generated)
        process.wait()
    except ScaleError as exc:
        console.print(f"[red]{exc}[/]")
    except KeyboardInterrupt:
        pass
    finally:
        console.print("Stopping...")
        killed = stack.stop()
        console.print("Stopped." + (f" Killed stragglers: {killed}" if killed else ""))


@scale_app.command()
def stop() -> None:
    """Stop the stack started by `sightline scale up` from this $SIGHTLINE_HOME."""
    stack = Stack(get_settings())
    if stack.supervisor_pid() is None and not stack.tagged_processes():
        console.print(f"Nothing runs from {stack.run}.")
        return
    killed = stack.stop()
    console.print("Stopped." + (f" Killed stragglers: {killed}" if killed else ""))


@scale_app.command()
def status() -> None:
    """Each process's state and pid, and each replica's /health."""
    stack = Stack(get_settings())
    if stack.supervisor_pid() is None:
        _fail(f"Nothing runs from {stack.run}.")
    table = Table("program", "state", "pid", "uptime", "health")
    now = time.time()
    for info in stack.programs():
        health = ""
        if info["name"].startswith("api-"):
            code, body = http_json(f"http://127.0.0.1:{info['name'][4:]}/health")
            health = f"{code} {body.get('model_version') or ''}".strip()
        uptime = f"{now - info['start']:.0f} s" if info["pid"] else ""
        table.add_row(info["name"], info["statename"], str(info["pid"] or ""), uptime, health)
    console.print(table)


def _print_ready(stack: Stack, seconds: float, new_token: str | None) -> None:
    config = stack.config
    table = Table(title=f"Sightline is up in {seconds:.0f} s", show_header=False)
    table.add_row("API (nginx)", f"{config.public_url}  (docs: {config.public_url}/docs)")
    if config.web:
        table.add_row("dashboard", f"{config.public_url}/")
    for info in stack.programs():
        table.add_row(info["name"], f"pid {info['pid']}  {info['statename']}")
    table.add_row("logs", str(stack.run / "logs") + "/, " + str(stack.run / "nginx") + "/")
    console.print(table)
    if new_token:
        console.print(f"Admin token (a copy in {stack.settings.home}/admin_token): {new_token}")
    console.print("Ctrl-C (or `make scale-stop` elsewhere) stops every process.")


def _fail(message: str) -> NoReturn:
    console.print(f"[red]{message}[/]")
    raise typer.Exit(1)
