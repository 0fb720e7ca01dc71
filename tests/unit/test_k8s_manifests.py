"""deploy/k8s renders (kustomize) and validates offline: built-in kinds against the Kubernetes API schemas of
a pinned version (kubernetes-validate, strict: unknown fields fail), custom resources (Strimzi, KEDA,
Prometheus operator) by the checks below, since no registry package ships their CRDs' schemas.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy/k8s"
KUBERNETES_VERSION = "1.33.0"
OVERLAYS = ("dev", "prod")
#: The kinds kubernetes-validate has no schema for; a new one must be added here knowingly.
CUSTOM_KINDS = {"Kafka", "KafkaNodePool", "ScaledObject", "ServiceMonitor"}
SERVICES = ("intake", "matcher", "notifier", "reporting")


def renderer() -> list[str]:
    """kustomize v5.5.0 built by deploy/dev/bootstrap.sh, else one on PATH, else kubectl's built-in one."""
    pinned = ROOT / ".stagepool/bin/kustomize"
    if pinned.is_file():
        return [str(pinned), "build"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    pytest.fail("no kustomize: run deploy/dev/bootstrap.sh (builds it from the Go module proxy)")


@cache
def rendered(overlay: str) -> tuple[dict, ...]:
    done = subprocess.run([*renderer(), str(K8S / "overlays" / overlay)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return tuple(doc for doc in yaml.safe_load_all(done.stdout) if doc)


def of_kind(docs: tuple[dict, ...], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def schema_errors(doc: dict) -> str | None:
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as err:
        return f"{doc['kind']}/{doc['metadata']['name']}: {err.message}"
    return None


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_built_in_resource_matches_the_pinned_kubernetes_api_schema(overlay: str) -> None:
    unchecked, errors = set(), []
    for doc in rendered(overlay):
        try:
            errors.append(schema_errors(doc))
        except kubernetes_validate.SchemaNotFoundError:
            unchecked.add(doc["kind"])
    assert [e for e in errors if e] == []
    assert unchecked == CUSTOM_KINDS


def test_the_schema_check_is_not_vacuous() -> None:
    deployment = dict(of_kind(rendered("dev"), "Deployment")["intake"])
    assert schema_errors({**deployment, "spec": {**deployment["spec"], "replicas": "two"}})
    assert schema_errors({**deployment, "spec": {**deployment["spec"], "replica": 2}})  # strict: unknown field


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_probes_resources_a_disruption_budget_a_policy_and_lag_scaling(overlay: str) -> None:
    docs = rendered(overlay)
    deployments, pdbs = of_kind(docs, "Deployment"), of_kind(docs, "PodDisruptionBudget")
    policies, scaled = of_kind(docs, "NetworkPolicy"), of_kind(docs, "ScaledObject")
    partitions = int(next(iter(of_kind(docs, "Kafka").values()))["spec"]["kafka"]["config"]["num.partitions"])
    assert set(deployments) == set(SERVICES)
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        for bound in ("requests", "limits"):
            assert set(container["resources"][bound]) == {"cpu", "memory"}, (name, bound)
        assert any(_selects(p["spec"]["selector"]["matchLabels"], labels) for p in pdbs.values()), name
        assert any(_selects(p["spec"]["podSelector"].get("matchLabels", {}), labels) for p in policies.values()
                   if p["metadata"]["name"] != "default-deny"), name
        scaler = scaled[name]["spec"]
        assert scaler["scaleTargetRef"]["name"] == name
        assert scaler["minReplicaCount"] <= scaler["maxReplicaCount"] <= partitions
        assert scaler["triggers"][0]["metadata"]["limitToPartitionsWithLag"] == "true"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_is_three_kraft_nodes_with_replicated_topic_defaults(overlay: str) -> None:
    docs = rendered(overlay)
    (kafka,), (pool,) = of_kind(docs, "Kafka").values(), of_kind(docs, "KafkaNodePool").values()
    assert kafka["metadata"]["annotations"] == {"strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled"}
    assert pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    assert pool["spec"]["replicas"] == 3 and set(pool["spec"]["roles"]) == {"controller", "broker"}
    config = kafka["spec"]["kafka"]["config"]
    assert (config["default.replication.factor"], config["min.insync.replicas"], config["num.partitions"]) == (3, 2, 12)
    settings = of_kind(docs, "ConfigMap")["stagepool-config"]["data"]
    bootstrap = f"{kafka['metadata']['name']}-kafka-bootstrap:9092"
    assert settings["KAFKA_BOOTSTRAP_SERVERS"] == bootstrap
    assert {s["spec"]["triggers"][0]["metadata"]["bootstrapServers"] for s in of_kind(docs, "ScaledObject").values()} \
        == {bootstrap}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_redis_is_reached_through_the_sentinels_the_manifests_run(overlay: str) -> None:
    docs = rendered(overlay)
    sentinels = of_kind(docs, "StatefulSet")["redis-sentinel"]["spec"]["replicas"]
    settings = of_kind(docs, "ConfigMap")["stagepool-config"]["data"]
    assert settings["STAGEPOOL_REDIS_SENTINELS"].split(",") == [
        f"redis-sentinel-{i}.redis-sentinel:26379" for i in range(sentinels)]
    assert of_kind(docs, "StatefulSet")["redis"]["spec"]["replicas"] == 2


def test_secrets_come_through_environment_variables_and_only_dev_generates_them() -> None:
    for overlay in OVERLAYS:
        docs = rendered(overlay)
        secrets = of_kind(docs, "Secret")
        for deployment in of_kind(docs, "Deployment").values():
            (container,) = deployment["spec"]["template"]["spec"]["containers"]
            for ref in [e["valueFrom"]["secretKeyRef"] for e in container["env"] if "valueFrom" in e]:
                if overlay == "dev":
                    assert ref["key"] in secrets[ref["name"]]["data"], ref
                else:
                    assert ref["name"] == "stagepool-secrets" and not secrets, "prod must not carry secrets"


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())
