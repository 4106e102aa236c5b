"""The production path, checked offline: the image recipe lints clean, both
Kustomize overlays render, every core resource validates strictly against
Kubernetes 1.33 and the newest schema shipped, the CloudNativePG resources
carry what the operator's documentation requires, and every workload runs
locked down. A mistake here would only show on a real cluster otherwise."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from yamllint import linter
from yamllint.config import YamlLintConfig

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
OVERLAYS = ("dev", "production")
KUBERNETES_VERSIONS = ("1.33.0", "1.37.0")
CORE_GROUPS = ("", "apps", "batch", "policy", "autoscaling", "networking.k8s.io")
CNPG = "postgresql.cnpg.io/v1"
BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io"
SECRETS = {
    "migreg-jwt",
    "migreg-audit-checkpoint",
    "migreg-sms-gateway",
    "migreg-console",
    "migreg-service-keys",
}


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, (
        f"{name} is a dev dependency (pyproject.toml); reinstall with scripts/bootstrap.sh"
    )
    return found


@cache
def rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    out = subprocess.run(
        [_tool("kubectl"), "kustomize", str(DEPLOY / "k8s" / "overlays" / overlay)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return tuple(doc for doc in yaml.safe_load_all(out) if doc)


def _of(docs: tuple[dict[str, Any], ...], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def _group(doc: dict[str, Any]) -> str:
    api = str(doc["apiVersion"])
    return api.split("/")[0] if "/" in api else ""


def _pod_specs(docs: tuple[dict[str, Any], ...]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (d["metadata"]["name"], d["spec"]["template"]["spec"])
        for d in docs
        if d["kind"] in ("Deployment", "Job")
    ]


def test_dockerfile_has_no_finding_above_info() -> None:
    result = subprocess.run(
        [
            _tool("hadolint"),
            "--failure-threshold",
            "info",
            "--no-color",
            str(DEPLOY / "Dockerfile"),
        ],
        capture_output=True,
        text=True,
    )
    findings = [line for line in result.stdout.splitlines() if " info:" not in line and line]
    assert not findings, "\n".join(findings)


def test_yaml_is_lint_clean() -> None:
    config = YamlLintConfig(file=str(ROOT / ".yamllint.yaml"))
    problems = [
        f"{path.relative_to(ROOT)}:{p.line}: {p.desc}"
        for path in sorted(DEPLOY.rglob("*.yaml"))
        for p in linter.run(path.read_text(), config)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_core_resources_validate_strictly(overlay: str, version: str) -> None:
    core = [d for d in rendered(overlay) if _group(d) in CORE_GROUPS]
    assert len(core) > 30
    for doc in core:
        kubernetes_validate.validate(doc, version, strict=True)


def test_strict_validation_catches_a_misspelled_field() -> None:
    deployment = dict(_of(rendered("production"), "Deployment")[0])
    deployment["spec"] = {**deployment["spec"], "replica": 3}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_part_of_the_system_is_deployed(overlay: str) -> None:
    docs = rendered(overlay)
    deployments = {d["metadata"]["name"] for d in _of(docs, "Deployment")}
    assert deployments == {"registry", "consular", "notifications", "console", "sms-worker"}
    jobs = {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in _of(docs, "Job")}
    for service in ("registry", "consular", "notifications"):
        args = jobs[f"migrate-{service}"]["containers"][0]["args"]
        assert args == ["db", "upgrade", service]
    assert {d["metadata"]["name"] for d in _of(docs, "Service")} == deployments - {"sms-worker"}
    assert {d["spec"]["scaleTargetRef"]["name"] for d in _of(docs, "HorizontalPodAutoscaler")} == (
        deployments - {"sms-worker"}
    )
    assert {
        d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for d in _of(docs, "PodDisruptionBudget")
    } == deployments
    assert not _of(docs, "Secret"), "secrets are referenced, never committed"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_runs_locked_down(overlay: str) -> None:
    for name, pod in _pod_specs(rendered(overlay)):
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            sc = container["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False, name
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc["capabilities"]["drop"] == ["ALL"], name
            assert {"requests", "limits"} <= container["resources"].keys(), name
            assert "memory" in container["resources"]["limits"], name


def test_http_services_probe_health_and_readiness() -> None:
    for d in _of(rendered("production"), "Deployment"):
        container = d["spec"]["template"]["spec"]["containers"][0]
        if d["metadata"]["name"] == "sms-worker":
            assert "ports" not in container
            continue
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_secrets_are_referenced_by_known_names_only() -> None:
    docs = rendered("production")
    clusters = {d["metadata"]["name"] for d in _of(docs, "Cluster")}
    known = SECRETS | {f"{c}-app" for c in clusters}
    for _, pod in _pod_specs(docs):
        for volume in pod.get("volumes", []):
            if "secret" in volume:
                assert volume["secret"]["secretName"] in known, volume
        for container in pod["containers"]:
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] in known, ref


def test_each_service_signs_its_peer_tokens_with_a_mounted_key() -> None:
    for d in _of(rendered("production"), "Deployment"):
        if d["metadata"]["name"] == "console":
            continue
        container = d["spec"]["template"]["spec"]["containers"][0]
        env = {e["name"]: e.get("value") for e in container["env"]}
        (key_file,) = [v for k, v in env.items() if k.endswith("_SERVICE_KEY_FILE")]
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert key_file.rsplit("/", 1)[0] in mounts


def test_each_service_reaches_only_its_own_database() -> None:
    docs = rendered("production")
    poolers = {d["metadata"]["name"] for d in _of(docs, "Pooler")}
    for d in docs:
        if d["kind"] not in ("Deployment", "Job"):
            continue
        template = d["spec"]["template"]
        database = template["metadata"]["labels"].get("migreg.io/database-client")
        env = [e for c in template["spec"]["containers"] for e in c.get("env", [])]
        for e in env:
            if not e["name"].endswith("DATABASE_URL"):
                continue
            ref = e.get("valueFrom", {}).get("secretKeyRef", {}).get("name")
            host = ref.removesuffix("-app") if ref else re.findall(r"@([^:/]+)", e["value"])[0]
            assert host.startswith(f"{database}"), (d["metadata"]["name"], e["name"])
            allowed = poolers | {f"{database}-ro", database}
            assert host in allowed, (d["metadata"]["name"], host)
            if "_READ_" in e["name"]:
                assert host == f"{database}-ro", "reads go to the streaming replicas"


def test_network_policy_denies_by_default() -> None:
    policies = {
        d["metadata"]["name"]: d["spec"] for d in _of(rendered("production"), "NetworkPolicy")
    }
    deny = policies["default-deny"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    worker = policies["sms-gateway-egress"]
    assert worker["podSelector"]["matchLabels"] == {"migreg.io/sms-gateway-client": "true"}
    for api in ("registry", "consular", "notifications"):
        sources = policies[f"{api}-ingress"]["ingress"][0]["from"]
        names = {
            s.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name")
            for s in sources
        }
        assert "console" in names and api not in names


def test_ingress_limits_match_the_services() -> None:
    (ingress,) = _of(rendered("production"), "Ingress")
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/proxy-body-size"] == "1m"
    assert "nginx.ingress.kubernetes.io/limit-rps" in notes


def test_cloudnativepg_clusters_follow_the_operator_documentation() -> None:
    docs = rendered("production")
    clusters = {d["metadata"]["name"]: d for d in _of(docs, "Cluster")}
    stores = {d["metadata"]["name"]: d["spec"] for d in _of(docs, "ObjectStore")}
    assert set(clusters) == {"registry-db", "consular-db", "notifications-db", "console-db"}
    for cluster in clusters.values():
        assert cluster["apiVersion"] == CNPG
        spec = cluster["spec"]
        assert spec["instances"] == 3
        sync = spec["postgresql"]["synchronous"]
        assert sync["method"] in ("any", "first") and 1 <= sync["number"] < spec["instances"]
        assert re.fullmatch(r"\d+(Gi|Mi|Ti)", spec["storage"]["size"])
        initdb = spec["bootstrap"]["initdb"]
        assert initdb["database"] and initdb["owner"]
        (plugin,) = spec["plugins"]
        assert plugin["name"] == BARMAN_PLUGIN and plugin["isWALArchiver"] is True
        store = stores[plugin["parameters"]["barmanObjectName"]]
        assert store["configuration"]["destinationPath"].startswith("s3://")
        creds = store["configuration"]["s3Credentials"]
        assert creds["accessKeyId"]["name"] and creds["secretAccessKey"]["key"]
    for backup in _of(docs, "ScheduledBackup"):
        spec = backup["spec"]
        assert spec["cluster"]["name"] in clusters
        assert len(spec["schedule"].split()) == 6, "CloudNativePG schedules start with seconds"
        assert spec["method"] == "plugin" and spec["pluginConfiguration"]["name"] == BARMAN_PLUGIN
    assert {b["spec"]["cluster"]["name"] for b in _of(docs, "ScheduledBackup")} == set(clusters)
    for pooler in _of(docs, "Pooler"):
        spec = pooler["spec"]
        assert spec["cluster"]["name"] in clusters
        assert spec["type"] in ("rw", "ro") and spec["instances"] >= 2
        assert spec["pgbouncer"]["poolMode"] in ("session", "transaction")


def test_dev_overlay_is_single_instance_without_backups() -> None:
    docs = rendered("dev")
    for cluster in _of(docs, "Cluster"):
        assert cluster["spec"]["instances"] == 1
        assert "synchronous" not in cluster["spec"]["postgresql"]
    assert not _of(docs, "ScheduledBackup") and not _of(docs, "ObjectStore")


def test_alerts_cover_what_on_call_needs() -> None:
    (rule,) = _of(rendered("production"), "PrometheusRule")
    alerts = {r["alert"] for g in rule["spec"]["groups"] for r in g["rules"]}
    assert {
        "MigregSlaBreachesRising",
        "MigregOutboxStuck",
        "MigregSmsFailureRate",
        "MigregSmsQueueBacklog",
        "MigregHigh5xxRate",
        "MigregAuditCheckpointOverdue",
        "MigregDatabaseNotReady",
    } <= alerts
    runbook = (DEPLOY / "README.md").read_text()
    for alert in alerts:
        assert alert in runbook, f"deploy/README.md does not say what {alert} means"
