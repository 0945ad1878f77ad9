"""The deployment files: the nginx template (checked by nginx itself), the supervisord
configuration `sightline scale` writes, docker-compose.yml, render.yaml, Dockerfiles.
`make compose-check` runs this file after the Compose schema check."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sightline.config import REPO_ROOT, Settings
from sightline.ops.scale import (
    TEMPLATE,
    StackConfig,
    nginx_values,
    render_template,
    supervisord_conf,
)
from tests.factories import free_port

COMPOSE = REPO_ROOT / "docker-compose.yml"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def render_local(tmp_path: Path, replicas: int = 3) -> str:
    return render_template(
        TEMPLATE.read_text(), nginx_values(StackConfig(replicas=replicas, port=18080), tmp_path)
    )


def test_local_nginx_config_balances_every_replica(tmp_path: Path) -> None:
    conf = render_local(tmp_path)
    servers = re.findall(r"server 127\.0\.0\.1:(\d+) max_fails=1 fail_timeout=\d+s;", conf)
    assert servers == ["8001", "8002", "8003"]
    assert "listen 18080;" in conf
    assert "proxy_next_upstream error timeout http_502 http_503;" in conf
    assert "${" not in conf


@pytest.fixture
def lone_nginx(tmp_path: Path) -> Iterator[str]:
    """The rendered nginx, running, with no replica behind it (nothing listens there)."""
    port, dead = free_port(), free_port()
    config = StackConfig(replicas=1, port=port, api_port=dead, web=False)
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_template(TEMPLATE.read_text(), nginx_values(config, tmp_path)))
    command = [str(NGINX), "-p", f"{tmp_path}/", "-c", str(conf), "-e", str(tmp_path / "e.log")]
    process = subprocess.Popen([*command, "-g", "daemon off;"])
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                    break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def json_error(request: urllib.request.Request) -> tuple[int, dict[str, Any]]:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    error = caught.value
    assert error.headers["Content-Type"] == "application/json"
    return error.code, json.loads(error.read())


@pytest.mark.process
@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_nginx_refusals_are_json_errors(lone_nginx: str) -> None:
    """nginx's own 413 and 'no replica' answers keep the API's error shape."""
    limit = Settings().max_request_bytes
    # Only the headers are sent: nginx refuses on the declared length, unread.
    connection = http.client.HTTPConnection(lone_nginx.removeprefix("http://"), timeout=10)
    connection.putrequest("POST", "/api/predict/batch")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(limit + 1))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert response.getheader("Content-Type") == "application/json"
    body = json.loads(response.read())
    connection.close()
    assert body["code"] == "request_too_large"
    assert str(limit) in body["detail"]

    status, body = json_error(urllib.request.Request(f"{lone_nginx}/api/status"))
    assert status == 503
    assert body["code"] == "service_unavailable"


def test_upload_limit_matches_the_api() -> None:
    template = TEMPLATE.read_text()
    limit = re.search(r"client_max_body_size (\d+)m;", template)
    assert limit is not None
    assert int(limit.group(1)) * 1024 * 1024 == Settings().max_request_bytes
    # nginx's own 413 answer names the same limit.
    assert f"the limit of {Settings().max_request_bytes} bytes" in template


@pytest.mark.process
@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_nginx_accepts_the_rendered_config(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_local(tmp_path))
    result = subprocess.run(
        [
            str(NGINX),
            "-t",
            "-p",
            f"{tmp_path}/",
            "-c",
            str(conf),
            "-e",
            str(tmp_path / "error.log"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def interpolate(value: str, environment: dict[str, str] | None = None) -> str:
    """Compose's ``${NAME:-default}``, with ``environment`` as the shell's."""
    environment = environment or {}
    return re.sub(
        r"\$\{(\w+):-([^}]*)\}", lambda m: environment.get(m.group(1)) or m.group(2), value
    )


def local_stack_environment() -> dict[str, str]:
    """The variables deploy/containers.sh exports for the local (podman) images."""
    script = (REPO_ROOT / "deploy" / "containers.sh").read_text()
    body = script[script.index("stack_env() {") :]
    body = body[: body.index("\n}\n")]
    return dict(re.findall(r'export (SIGHTLINE_NGINX_(?!IMAGE)\w+)="([^"]*)"', body))


def test_compose_fills_every_template_variable() -> None:
    environment = compose()["services"]["nginx"]["environment"]
    variables = {
        k: interpolate(str(v)) for k, v in environment.items() if k.startswith("SIGHTLINE_NGINX_")
    }
    conf = render_template(TEMPLATE.read_text(), variables)  # raises on a missing one
    assert "server api:8000 resolve" in conf and "resolver 127.0.0.11" in conf
    assert environment["NGINX_ENVSUBST_FILTER"] == "^SIGHTLINE_NGINX_"
    # The local images' nginx (Debian's 1.22) has no `resolve`: containers.sh's values.
    local = local_stack_environment()
    assert set(local) == {
        "SIGHTLINE_NGINX_RESOLVER",
        "SIGHTLINE_NGINX_API_SERVERS",
        "SIGHTLINE_NGINX_WEB_SERVER",
    }
    variables = {
        k: interpolate(str(v), local)
        for k, v in environment.items()
        if k.startswith("SIGHTLINE_NGINX_")
    }
    conf = render_template(TEMPLATE.read_text(), variables)
    assert "resolve" not in conf.replace("resolved", "")
    assert "server api:8000 max_fails=1" in conf


@pytest.mark.process
@pytest.mark.skipif(shutil.which("envsubst") is None, reason="no envsubst (gettext-base)")
def test_local_nginx_entrypoint_fills_the_template_like_the_image(tmp_path: Path) -> None:
    """deploy/containers/nginx-entrypoint.sh, the local nginx image's, fills only the
    SIGHTLINE_NGINX_ variables, as the nginx images' entrypoint does with the filter."""
    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(TEMPLATE, templates / "nginx.conf.template")
    environment = compose()["services"]["nginx"]["environment"]
    env = {k: interpolate(str(v)) for k, v in environment.items()}
    env |= {
        "NGINX_ENVSUBST_TEMPLATE_DIR": str(templates),
        "NGINX_ENVSUBST_OUTPUT_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "HOST": "not-substituted",
    }
    script = REPO_ROOT / "deploy" / "containers" / "nginx-entrypoint.sh"
    subprocess.run(["sh", str(script), "true"], env=env, check=True, capture_output=True)
    conf = (tmp_path / "nginx.conf").read_text()
    assert "${" not in conf
    assert "listen 8080;" in conf and "server api:8000 resolve" in conf
    assert "proxy_set_header Host $host;" in conf  # nginx's own variables are kept


@pytest.mark.process
@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_dashboard_image_nginx_config_is_valid(tmp_path: Path) -> None:
    """frontend/nginx/web.conf as frontend/nginx/start.sh fills it, checked by nginx."""
    text = (REPO_ROOT / "frontend" / "nginx" / "web.conf").read_text()
    conf = tmp_path / "web.conf"
    conf.write_text(
        text.replace("@PORT@", str(free_port()))
        .replace("@API_ORIGIN@", "http://localhost:8080")
        .replace("@RUN@", str(tmp_path))
    )
    result = subprocess.run(
        [str(NGINX), "-t", "-p", f"{tmp_path}/", "-c", str(conf), "-e", str(tmp_path / "e.log")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    start = (REPO_ROOT / "frontend" / "nginx" / "start.sh").read_text()
    assert "runtime-config.js" in start and "API_URL" in start and "WEB_PORT" in start


def test_supervisord_accepts_the_stack_config(tmp_path: Path) -> None:
    from supervisor.options import ServerOptions

    config = StackConfig(replicas=2, web=True)
    (tmp_path / "logs").mkdir()
    path = tmp_path / "supervisord.conf"
    path.write_text(supervisord_conf(config, tmp_path, "/usr/sbin/nginx"))
    options = ServerOptions()
    options.realize(args=["-c", str(path)])
    names = {p.name for group in options.process_group_configs for p in group.process_configs}
    assert names == {"api-8001", "api-8002", "worker", "nginx", "web"}
    assert all(p.autorestart for g in options.process_group_configs for p in g.process_configs)


def test_compose_mirrors_make_scale() -> None:
    services = compose()["services"]
    assert {"nginx", "api", "worker", "web", "postgres"} <= set(services)
    api = services["api"]
    # Scalable with --scale api=N: no fixed host port, no fixed container name.
    assert "ports" not in api and "container_name" not in api
    # No volume between replicas and the worker: each /data is its own cache, the
    # database the only thing they share; a one-shot service migrates before them.
    for name in ("api", "worker"):
        assert "volumes" not in services[name], name
        assert services[name]["environment"]["SIGHTLINE_HOME"] == "/data"
        assert "postgres" in services[name]["environment"]["SIGHTLINE_DATABASE_URL"]
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert services["migrate"]["command"] == ["sightline", "migrate"]
    assert set(compose()["volumes"]) == {"postgres-data"}
    for name in ("api", "web", "nginx"):
        assert "healthcheck" in services[name], name
    assert "/health" in " ".join(services["api"]["healthcheck"]["test"])
    assert services["nginx"]["depends_on"]["api"]["condition"] == "service_healthy"
    assert "profiles" not in services["postgres"]  # always: it is the shared state
    assert services["nginx"]["volumes"][0].startswith("./deploy/nginx.conf.template:")


@pytest.mark.process
@pytest.mark.skipif(
    shutil.which("check-jsonschema") is None
    and not (REPO_ROOT / ".venv/bin/check-jsonschema").exists(),
    reason="check-jsonschema is not installed",
)
def test_compose_file_follows_the_compose_spec() -> None:
    tool = shutil.which("check-jsonschema") or str(REPO_ROOT / ".venv/bin/check-jsonschema")
    result = subprocess.run(
        [tool, "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_render_blueprint_points_at_real_files() -> None:
    blueprint = yaml.safe_load((REPO_ROOT / "render.yaml").read_text())
    services = {s["name"]: s for s in blueprint["services"]}
    assert services["sightline-api"]["healthCheckPath"] == "/health"
    for service in services.values():
        assert (REPO_ROOT / service["dockerfilePath"]).is_file()
        assert (REPO_ROOT / service["dockerContext"]).is_dir()
    assert blueprint["databases"][0]["name"] == "sightline-db"
    assert (REPO_ROOT / "deploy" / "Procfile.container").is_file()


def test_render_scales_the_api_with_no_disk() -> None:
    blueprint = yaml.safe_load((REPO_ROOT / "render.yaml").read_text())
    services = {s["name"]: s for s in blueprint["services"]}
    assert services["sightline-api"]["numInstances"] > 1
    assert not [name for name, service in services.items() if "disk" in service]
    assert services["sightline-worker"]["type"] == "worker"
    assert services["sightline-api"]["preDeployCommand"] == "sightline migrate"
    for name in ("sightline-api", "sightline-worker"):
        keys = {e.get("key") for e in services[name]["envVars"]}
        assert "SIGHTLINE_DATABASE_URL" in keys
        assert {"fromGroup": "sightline-backend"} in services[name]["envVars"]


@pytest.mark.parametrize(
    ("dockerfile", "bases"),
    [
        ("backend/Dockerfile", {"BASE_IMAGE": "python:3.11-slim"}),
        (
            "frontend/Dockerfile",
            {"NODE_IMAGE": "node:20-slim", "NGINX_IMAGE": "nginxinc/nginx-unprivileged:"},
        ),
    ],
)
def test_dockerfiles_keep_public_bases_as_arguments(dockerfile: str, bases: dict[str, str]) -> None:
    """Users get the public bases; deploy/containers.sh passes local ones by name."""
    text = (REPO_ROOT / dockerfile).read_text()
    for name, default in bases.items():
        assert re.search(rf"^ARG {name}={re.escape(default)}", text, re.MULTILINE), name
        assert f"FROM ${{{name}}}" in text
        assert f'"{name}=' in (REPO_ROOT / "deploy" / "containers.sh").read_text()
    assert not re.search(r"^FROM (?!\$\{)", text, re.MULTILINE)  # every base is an ARG


def test_the_dashboard_image_runs_no_node() -> None:
    text = (REPO_ROOT / "frontend/Dockerfile").read_text()
    last_stage = text[text.rindex("\nFROM ") :]
    assert "node" not in last_stage.lower().replace("node_image", "")
    web = compose()["services"]["web"]
    assert "node" not in json.dumps(web["healthcheck"]["test"])


def test_compose_names_public_images_and_the_local_ones_by_variable() -> None:
    services = compose()["services"]
    assert interpolate(services["postgres"]["image"]).startswith("postgres:")
    assert interpolate(services["nginx"]["image"]).startswith("nginxinc/nginx-unprivileged:")
    script = (REPO_ROOT / "deploy" / "containers.sh").read_text()
    for variable in ("SIGHTLINE_POSTGRES_IMAGE", "SIGHTLINE_NGINX_IMAGE"):
        assert f"${{{variable}:-" in COMPOSE.read_text() and f"export {variable}=" in script
    # The application images compose runs are the ones containers.sh builds.
    for service, image in (("api", "sightline-backend"), ("web", "sightline-web")):
        assert services[service]["image"] == f"{image}:latest"
        assert f"localhost/{image}:latest" in script


@pytest.mark.parametrize("dockerfile", ["backend/Dockerfile", "frontend/Dockerfile"])
def test_images_are_multi_stage_and_not_root(dockerfile: str) -> None:
    text = (REPO_ROOT / dockerfile).read_text()
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) >= 2
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")


def test_kubernetes_runs_the_images_built_here() -> None:
    """The manifests' image names are the ones `make images` builds (kustomize's
    `images:` maps them to a registry), and the dashboard's port is the image's."""
    base = REPO_ROOT / "deploy" / "kubernetes" / "base"
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text())
    mapped = {image["name"] for image in kustomization["images"]}
    named = set()
    for manifest in base.glob("*.yaml"):
        for doc in yaml.safe_load_all(manifest.read_text()):
            pod = (doc or {}).get("spec", {}).get("template", {}).get("spec", {})
            named |= {c["image"] for c in pod.get("containers", [])}
    assert named == mapped == {"sightline-backend", "sightline-web"}
    script = (REPO_ROOT / "deploy" / "containers.sh").read_text()
    for name in named:
        assert f"localhost/{name}:latest" in script
    web = yaml.safe_load((base / "web.yaml").read_text().split("\n---\n")[0])
    container = web["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    dockerfile = (REPO_ROOT / "frontend" / "Dockerfile").read_text()
    assert f"WEB_PORT={env['WEB_PORT']}" in dockerfile
    assert container["ports"][0]["containerPort"] == int(env["WEB_PORT"])
