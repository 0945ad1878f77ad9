"""Scale out on one machine: N API replicas, the worker and nginx, under supervisord.

``sightline scale up -n 3`` (``make scale N=3``) renders two files into
``$SIGHTLINE_HOME/run/`` and starts supervisord in the foreground:

- ``nginx/nginx.conf`` from ``deploy/nginx.conf.template`` (the same template
  docker-compose.yml uses), balancing ``127.0.0.1:<api_port> ... <api_port+N-1>``;
- ``supervisord.conf``: one program per replica (``sightline serve``), the worker,
  nginx (from the system, as the current user) and the dashboard when it is built.

supervisord is the well-known process supervisor: it restarts a process that dies
(so a killed replica comes back by itself, as under compose's ``restart:``), and on
Ctrl-C or SIGTERM stops every program by pid, gracefully, then with SIGKILL after
``stopwaitsecs``. ``sightline scale stop`` (``make scale-stop``) signals it through its
pid file and then checks, pid by pid, that nothing it started is left.

Every process shares one ``$SIGHTLINE_HOME`` and database (SQLite in WAL mode, or
``SIGHTLINE_DATABASE_URL`` for Postgres).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import xmlrpc.client
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from sightline.config import REPO_ROOT, Settings

TEMPLATE = REPO_ROOT / "deploy" / "nginx.conf.template"
FRONTEND = REPO_ROOT / "frontend"
# Marks every process the stack starts, so ``stop`` can find survivors by pid even if
# supervisord itself was killed.
TAG_VARIABLE = "SIGHTLINE_SCALE_RUN"
PLACEHOLDER = re.compile(r"\$\{(SIGHTLINE_NGINX_[A-Z_]+)\}")
# Passive health: one failure takes a replica out of rotation for this long.
FAIL_TIMEOUT_S = 5


class ScaleError(RuntimeError):
    """A problem a person can act on (port taken, already running, no nginx)."""


@dataclass(frozen=True)
class StackConfig:
    replicas: int = 2
    port: int = 8080  # nginx
    api_port: int = 8001  # the first replica; the others follow
    worker: bool = True
    web: bool = False
    web_port: int = 3000
    # Extra variables for every process (e.g. SIGHTLINE_DATABASE_URL).
    env: dict[str, str] = field(default_factory=dict)

    @property
    def api_ports(self) -> list[int]:
        return [self.api_port + i for i in range(self.replicas)]

    @property
    def public_url(self) -> str:
        return f"http://localhost:{self.port}"


def run_dir(settings: Settings) -> Path:
    return settings.home.resolve() / "run"


# --------------------------------------------------------------------------- rendering


def render_template(template: str, values: dict[str, str]) -> str:
    """Fill ``${SIGHTLINE_NGINX_*}`` as envsubst would, and fail on any left unset."""
    missing = sorted(set(PLACEHOLDER.findall(template)) - set(values))
    if missing:
        raise ScaleError(f"nginx template needs values for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def nginx_values(config: StackConfig, nginx_dir: Path) -> dict[str, str]:
    servers = "\n        ".join(
        f"server 127.0.0.1:{port} max_fails=1 fail_timeout={FAIL_TIMEOUT_S}s;"
        for port in config.api_ports
    )
    # nginx started by root hands its workers to "nobody", who could not write the
    # temp folders here; "run as the current user" then means root.
    user = "user root;" if os.geteuid() == 0 else ""
    return {
        "SIGHTLINE_NGINX_USER": user,
        "SIGHTLINE_NGINX_RUN_DIR": str(nginx_dir),
        "SIGHTLINE_NGINX_ERROR_LOG": str(nginx_dir / "error.log"),
        "SIGHTLINE_NGINX_ACCESS_LOG": str(nginx_dir / "access.log"),
        "SIGHTLINE_NGINX_RESOLVER": "",  # addresses, not names: nothing to resolve
        "SIGHTLINE_NGINX_API_SERVERS": servers,
        "SIGHTLINE_NGINX_WEB_SERVER": f"server 127.0.0.1:{config.web_port};",
        "SIGHTLINE_NGINX_ROOT": "sightline_web" if config.web else "sightline_api",
        "SIGHTLINE_NGINX_PORT": str(config.port),
    }


def _program(name: str, command: list[str], run: Path, **options: object) -> str:
    settings = {
        "command": " ".join(_quote(part) for part in command),
        "directory": str(REPO_ROOT),
        "autostart": "true",
        "autorestart": "true",  # a replica that dies comes back
        "startsecs": "2",
        "startretries": "5",
        "stopsignal": "TERM",  # uvicorn finishes requests and flushes history
        "stopwaitsecs": "30",
        "stopasgroup": "true",
        "killasgroup": "true",
        "redirect_stderr": "true",
        "stdout_logfile": str(run / "logs" / f"{name}.log"),
        "stdout_logfile_maxbytes": "20MB",
        "stdout_logfile_backups": "2",
        **{key: str(value) for key, value in options.items()},
    }
    body = "\n".join(f"{key}={_escape(value)}" for key, value in settings.items())
    return f"[program:{name}]\n{body}\n"


def _quote(part: str) -> str:
    return shlex.quote(part)  # supervisord splits commands with shlex


def _escape(value: str) -> str:
    return value.replace("%", "%%")  # supervisord expands %(name)s in every value


def replica_name(port: int) -> str:
    return f"api-{port}"


def supervisord_conf(config: StackConfig, run: Path, nginx: str | None) -> str:
    python = sys.executable
    programs = [
        _program(
            replica_name(port),
            [
                python,
                "-m",
                "sightline.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ],
            run,
            priority=100,
        )
        for port in config.api_ports
    ]
    if config.worker:
        programs.append(
            _program(
                "worker",
                [python, "-m", "sightline.cli", "worker"],
                run,
                priority=200,
                stopwaitsecs=60,
            )
        )
    if nginx:
        nginx_dir = run / "nginx"
        programs.append(
            _program(
                "nginx",
                nginx_command(nginx, nginx_dir),
                run,
                priority=300,
                stopsignal="QUIT",  # QUIT: finish open requests first
            )
        )
    if config.web:
        programs.append(
            _program(
                "web",
                ["node", str(FRONTEND / "server.mjs")],
                run,
                priority=300,
                environment=f'WEB_PORT="{config.web_port}",API_URL="{config.public_url}"',
            )
        )
    header = f"""\
; Written by `sightline scale up`; rewritten at each start.
[supervisord]
nodaemon=true
{"user=root" if os.geteuid() == 0 else ""}
logfile={run / "supervisord.log"}
pidfile={run / "supervisord.pid"}
childlogdir={run / "logs"}

[unix_http_server]
file={run / "supervisor.sock"}
chmod=0700

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[group:api]
programs={",".join(replica_name(port) for port in config.api_ports)}

"""
    return header + "\n".join(programs)


# --------------------------------------------------------------------------- checks


def nginx_command(nginx: str, nginx_dir: Path) -> list[str]:
    """nginx in the foreground on the config, logs and temp files under ``nginx_dir``."""
    return [
        nginx,
        "-p",
        f"{nginx_dir}/",
        "-c",
        str(nginx_dir / "nginx.conf"),
        "-e",
        str(nginx_dir / "error.log"),
        "-g",
        "daemon off;",
    ]


def find_nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if not found:
        raise ScaleError(
            "nginx is not installed: `apt-get install -y nginx` (only the "
            "binary is used; the system service can stay off)."
        )
    return found


def check_ports_free(ports: Iterable[int]) -> None:
    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError as exc:
                raise ScaleError(
                    f"Port {port} is in use ({exc.strerror}); stop what "
                    "holds it or choose other ports."
                ) from exc


def free_port_block(count: int) -> int:
    """A base port with ``count`` free ports from it on (for throwaway stacks: the
    tests and benches start replicas, nginx and supervisord on consecutive ports)."""
    for _ in range(100):
        base = random.randint(20000, 50000)
        try:
            check_ports_free(range(base, base + count))
        except ScaleError:
            continue
        return base
    raise ScaleError(f"No {count} consecutive free ports found.")


def web_available() -> bool:
    return (FRONTEND / "out" / "index.html").exists() and shutil.which("node") is not None


def http_json(url: str, timeout: float = 2.0) -> tuple[int, dict[str, Any]]:
    """Status and JSON body of a GET; (0, {}) when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        with contextlib.suppress(ValueError):
            return error.code, json.loads(error.read() or b"{}")
        return error.code, {}
    except (OSError, ValueError):
        return 0, {}


# --------------------------------------------------------------------------- the stack


class Stack:
    """The processes of one ``$SIGHTLINE_HOME``: start, inspect, stop."""

    def __init__(self, settings: Settings, config: StackConfig | None = None) -> None:
        self.settings = settings
        self.config = config or StackConfig()
        self.run = run_dir(settings)
        self.pid_file = self.run / "supervisord.pid"
        self.socket = self.run / "supervisor.sock"
        self.process: subprocess.Popen[bytes] | None = None

    # ---------------------------------------------------------------- start

    def prepare(self) -> None:
        """Check the machine, migrate once, and write the configuration files."""
        if self.supervisor_pid() is not None:
            raise ScaleError(
                f"A stack already runs from {self.run} (pid "
                f"{self.supervisor_pid()}); `make scale-stop` ends it."
            )
        config = self.config
        check_ports_free(
            [config.port, *config.api_ports, *([config.web_port] if config.web else [])]
        )
        nginx = find_nginx()
        self.settings.ensure_dirs()
        from sightline.db.session import migrate  # an early, clear error for a bad URL

        migrate(self.settings)
        nginx_dir = self.run / "nginx"
        for path in (self.run / "logs", nginx_dir):
            path.mkdir(parents=True, exist_ok=True)
        (nginx_dir / "nginx.conf").write_text(
            render_template(TEMPLATE.read_text(), nginx_values(config, nginx_dir))
        )
        (self.run / "supervisord.conf").write_text(supervisord_conf(config, self.run, nginx))

    def child_env(self) -> dict[str, str]:
        # The dashboard behind nginx calls the API on nginx's origin; allow both names.
        public = [f"http://{host}:{self.config.port}" for host in ("localhost", "127.0.0.1")]
        origins = dict.fromkeys([*self.settings.cors_origins, *public])
        return {
            **os.environ,
            "SIGHTLINE_CORS_ORIGINS": ",".join(origins),
            **self.config.env,
            "SIGHTLINE_HOME": str(self.settings.home.resolve()),
            "PYTHONUNBUFFERED": "1",
            TAG_VARIABLE: str(self.run),
        }

    def start(self, show_output: bool = False) -> subprocess.Popen[bytes]:
        """Start supervisord (and so everything); returns at once.

        With ``show_output`` supervisord's log (spawned, exited, stopped...) goes to
        this terminal and, sharing its process group, it gets Ctrl-C directly.
        """
        self.prepare()
        output = None if show_output else open(self.run / "supervisord.out", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "supervisor.supervisord",
                "-c",
                str(self.run / "supervisord.conf"),
            ],
            env=self.child_env(),
            cwd=REPO_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        if output is not None:
            output.close()  # the child holds its own copy
        return self.process

    def wait_ready(self, timeout: float = 300.0) -> None:
        """Until every replica, then nginx, answers /health with 200."""
        deadline = time.monotonic() + timeout
        # Replicas first: asking nginx before any replica listens only fills its error log.
        self._wait_healthy(self.replica_urls(), deadline, timeout)
        self._wait_healthy([f"http://127.0.0.1:{self.config.port}"], deadline, timeout)

    def _wait_healthy(self, urls: list[str], deadline: float, timeout: float) -> None:
        while waiting := [url for url in urls if http_json(f"{url}/health")[0] != 200]:
            if self.process is not None and self.process.poll() is not None:
                raise ScaleError(
                    f"supervisord exited ({self.process.returncode}); see "
                    f"{self.run / 'supervisord.log'}"
                )
            if time.monotonic() > deadline:
                raise ScaleError(
                    f"Not healthy after {timeout:.0f} s: {', '.join(waiting)}; "
                    f"see the logs in {self.run / 'logs'}"
                )
            time.sleep(0.5)

    def replica_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.config.api_ports]

    # ---------------------------------------------------------------- inspect

    def supervisor_pid(self) -> int | None:
        """supervisord's pid from its pid file, if that process is alive."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def rpc(self) -> Any:
        from supervisor.xmlrpc import SupervisorTransport

        transport = SupervisorTransport(None, None, f"unix://{self.socket}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor

    def programs(self) -> list[dict[str, Any]]:
        """supervisord's view: name, group, statename, pid, start time..."""
        result: list[dict[str, Any]] = self.rpc().getAllProcessInfo()
        return result

    def pid(self, name: str) -> int:
        """The live pid of one program ("api-8001", "worker", "nginx"); 0 when down."""
        for info in self.programs():
            if info["name"] == name:
                return int(info["pid"])
        raise KeyError(name)

    # ---------------------------------------------------------------- stop

    def stop(self, timeout: float = 90.0) -> list[int]:
        """End supervisord and everything it started; returns the pids it had to kill.

        supervisord stops its programs in reverse priority (nginx first, replicas last)
        with their stop signals. Afterwards, every process this stack started, found by
        the pids supervisord reported and by the tag in their environment, must be gone:
        the stragglers are killed, process group and all.
        """
        started = self._started_processes()
        supervisor = self.supervisor_pid()
        if supervisor is not None:
            os.kill(supervisor, signal.SIGTERM)
            _wait_gone([psutil.Process(supervisor)], timeout)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
        started.update({p.pid: p for p in self.tagged_processes()})
        survivors = [p for p in started.values() if _running(p)]
        for process in survivors:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # its own group: nginx's workers
            with contextlib.suppress(psutil.Error):
                process.kill()
        _wait_gone(survivors, 10)
        return [p.pid for p in survivors]

    def _started_processes(self) -> dict[int, psutil.Process]:
        # psutil.Process remembers each start time, so a pid reused by an unrelated
        # process later is never signalled.
        started = {p.pid: p for p in self.tagged_processes()}
        with contextlib.suppress(OSError, xmlrpc.client.Error):
            for info in self.programs():
                with contextlib.suppress(psutil.Error):
                    if info["pid"]:
                        started[int(info["pid"])] = psutil.Process(int(info["pid"]))
        return started

    def tagged_processes(self) -> list[psutil.Process]:
        mine = str(self.run)
        found = []
        for process in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if process.pid != os.getpid() and process.environ().get(TAG_VARIABLE) == mine:
                    found.append(process)
        return found


def _alive(pid: int) -> bool:
    try:
        return _running(psutil.Process(pid))
    except psutil.Error:
        return False


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _wait_gone(processes: Iterable[psutil.Process], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = list(processes)
    while pending and time.monotonic() < deadline:
        pending = [process for process in pending if _running(process)]
        if pending:
            time.sleep(0.2)
