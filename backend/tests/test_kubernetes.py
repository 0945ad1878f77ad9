"""deploy/kubernetes/: every overlay renders (kubectl's built-in kustomize), validates
against the Kubernetes schemas offline (kubernetes-validate bundles them), and keeps
the invariants: every long-running container has probes and limits, only the worker
trains, and every variable the backend containers get is one Sightline reads."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
import yaml

from sightline.config import REPO_ROOT, Settings

KUSTOMIZE_ROOT = REPO_ROOT / "deploy" / "kubernetes"
OVERLAYS = ["base", "overlays/production", "overlays/gpu-worker"]
# Variables read by libraries, not by Settings: uvicorn's proxy trust, boto3's S3.
LIBRARY_VARIABLES = {
    "FORWARDED_ALLOW_IPS",
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
}

kubectl = shutil.which("kubectl")
pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(kubectl is None, reason="no kubectl (kustomize)"),
]


def render(overlay: str) -> list[dict[str, Any]]:
    assert kubectl is not None
    out = subprocess.run(
        [kubectl, "kustomize", str(KUSTOMIZE_ROOT / overlay)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    return list(workload["spec"]["template"]["spec"]["containers"])


@pytest.fixture(scope="module", params=OVERLAYS)
def docs(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return render(request.param)


def test_every_overlay_validates_against_the_kubernetes_schemas(
    docs: list[dict[str, Any]],
) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for doc in docs:
        kubernetes_validate.validate(doc, "1.32.0", strict=True)


def test_the_validator_refuses_a_bad_manifest() -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    deployment = by_kind(render("base"), "Deployment")["sightline-api"]
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["prot"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, "1.32.0", strict=True)


def test_every_long_running_container_has_probes_requests_and_limits(
    docs: list[dict[str, Any]],
) -> None:
    deployments = by_kind(docs, "Deployment")
    assert set(deployments) == {"sightline-api", "sightline-worker", "sightline-web"}
    for name, deployment in deployments.items():
        for container in containers(deployment):
            for probe in ("readinessProbe", "livenessProbe"):
                assert probe in container, f"{name}/{container['name']} lacks {probe}"
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), name
            assert {"cpu", "memory"} <= set(resources["limits"]), name
    for job in by_kind(docs, "Job").values():
        for container in containers(job):
            assert {"cpu", "memory"} <= set(container["resources"]["limits"])


def test_only_the_worker_trains_and_it_runs_alone(docs: list[dict[str, Any]]) -> None:
    commands = {
        name: [c.get("command", []) for c in containers(d)]
        for name, d in {**by_kind(docs, "Deployment"), **by_kind(docs, "Job")}.items()
    }
    training = [name for name, cmds in commands.items() if any("worker" in c for c in cmds)]
    assert training == ["sightline-worker"]
    worker = by_kind(docs, "Deployment")["sightline-worker"]
    assert worker["spec"]["replicas"] == 1 and worker["spec"]["strategy"]["type"] == "Recreate"
    assert commands["sightline-migrate"] == [["sightline", "migrate"]]


def test_the_api_drains_before_it_stops(docs: list[dict[str, Any]]) -> None:
    api = by_kind(docs, "Deployment")["sightline-api"]
    pod = api["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    graceful = float(container["args"][container["args"].index("--graceful-timeout") + 1])
    assert pre_stop + graceful < pod["terminationGracePeriodSeconds"]
    assert api["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    hpa = by_kind(docs, "HorizontalPodAutoscaler")["sightline-api"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "sightline-api"
    assert hpa["spec"]["minReplicas"] >= 2
    pdb = by_kind(docs, "PodDisruptionBudget")["sightline-api"]
    assert pdb["spec"]["selector"]["matchLabels"] == api["spec"]["selector"]["matchLabels"]


def test_no_volume_outlives_a_pod(docs: list[dict[str, Any]]) -> None:
    """Nothing on disk is shared: every backend volume is an emptyDir (a cache)."""
    for workload in (*by_kind(docs, "Deployment").values(), *by_kind(docs, "Job").values()):
        for volume in workload["spec"]["template"]["spec"].get("volumes", []):
            assert set(volume) == {"name", "emptyDir"}, volume
    assert not by_kind(docs, "PersistentVolumeClaim")


def test_every_variable_the_backend_gets_is_a_setting(docs: list[dict[str, Any]]) -> None:
    settings_names = {f"SIGHTLINE_{name.upper()}" for name in Settings.model_fields}
    config_maps, secrets = by_kind(docs, "ConfigMap"), by_kind(docs, "Secret")
    for workload in (*by_kind(docs, "Deployment").values(), *by_kind(docs, "Job").values()):
        for container in containers(workload):
            if "sightline-backend" not in container["image"]:
                continue  # the dashboard reads WEB_PORT and API_URL (frontend/server.mjs)
            names = {env["name"] for env in container.get("env", [])}
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    names |= set(config_maps[source["configMapRef"]["name"]]["data"])
                elif source["secretRef"]["name"] in secrets:
                    secret = secrets[source["secretRef"]["name"]]
                    names |= set(secret.get("stringData", {})) | set(secret.get("data", {}))
            unknown = names - settings_names - LIBRARY_VARIABLES
            assert not unknown, f"{workload['metadata']['name']}: {sorted(unknown)}"


def test_the_ingress_carries_nginxs_limits(docs: list[dict[str, Any]]) -> None:
    template = (REPO_ROOT / "deploy" / "nginx.conf.template").read_text()
    assert "client_max_body_size 64m;" in template
    ingresses = by_kind(docs, "Ingress")
    for ingress in ingresses.values():
        annotations = ingress["metadata"]["annotations"]
        assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == "64m"
    uploads = ingresses["sightline-uploads"]["metadata"]["annotations"]
    assert uploads["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "300"
    predict = ingresses["sightline-predict"]["metadata"]["annotations"]
    assert "non_idempotent" in predict["nginx.ingress.kubernetes.io/proxy-next-upstream"]
    routed = {
        path["path"]: path["backend"]["service"]["name"]
        for ingress in ingresses.values()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert routed["/api"] == routed["/health"] == "sightline-api"
    assert routed["/"] == "sightline-web"
    assert routed["/api/upload-training-data"] == "sightline-api"


def test_the_gpu_overlay_puts_only_the_worker_on_a_gpu() -> None:
    deployments = by_kind(render("overlays/gpu-worker"), "Deployment")
    worker = deployments["sightline-worker"]["spec"]["template"]["spec"]
    assert worker["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert worker["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == 1
    for name in ("sightline-api", "sightline-web"):
        assert "nodeSelector" not in deployments[name]["spec"]["template"]["spec"]


def test_the_readme_names_the_overlay_to_apply() -> None:
    readme = (REPO_ROOT / "deploy" / "README.md").read_text()
    assert "kubectl apply -k deploy/kubernetes/overlays/production" in readme
