"""Kubernetes manifests: the official API schemas (offline, kubernetes-validate) and their coherence."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from artifacts import DEPLOY, ROOT, load_yaml

from streams.config import Settings

K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.30"
DURATION = r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
#: The part of the Prometheus Operator's PodMonitor (monitoring.coreos.com/v1) these manifests use,
#: written from the operator's API reference: no package ships the CRD schemas for offline use.
PODMONITOR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"},
        "kind": {"const": "PodMonitor"},
        "metadata": {"type": "object", "required": ["name"]},
        "spec": {
            "type": "object",
            "required": ["selector", "podMetricsEndpoints"],
            "additionalProperties": False,
            "properties": {
                "selector": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "matchExpressions": {"type": "array"},
                    },
                },
                "namespaceSelector": {"type": "object"},
                "jobLabel": {"type": "string"},
                "podTargetLabels": {"type": "array", "items": {"type": "string"}},
                "podMetricsEndpoints": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "port": {"type": "string"},
                            "path": {"type": "string", "pattern": "^/"},
                            "scheme": {"enum": ["http", "https"]},
                            "interval": {"type": "string", "pattern": DURATION},
                            "scrapeTimeout": {"type": "string", "pattern": DURATION},
                            "honorLabels": {"type": "boolean"},
                            "relabelings": {"type": "array", "items": {"$ref": "#/$defs/relabel"}},
                            "metricRelabelings": {"type": "array", "items": {"$ref": "#/$defs/relabel"}},
                        },
                    },
                },
            },
        },
    },
    "$defs": {
        "relabel": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "action": {
                    "enum": [
                        "replace",
                        "Replace",
                        "keep",
                        "Keep",
                        "drop",
                        "Drop",
                        "hashmod",
                        "HashMod",
                        "labelmap",
                        "LabelMap",
                        "labeldrop",
                        "LabelDrop",
                        "labelkeep",
                        "LabelKeep",
                        "lowercase",
                        "Lowercase",
                        "uppercase",
                        "Uppercase",
                        "keepequal",
                        "KeepEqual",
                        "dropequal",
                        "DropEqual",
                    ]
                },
                "sourceLabels": {"type": "array", "items": {"type": "string"}},
                "separator": {"type": "string"},
                "targetLabel": {"type": "string"},
                "regex": {"type": "string"},
                "modulus": {"type": "integer", "minimum": 1},
                "replacement": {"type": "string"},
            },
        }
    },
}


def manifests() -> dict[str, dict[str, Any]]:
    """Every resource under deploy/k8s, by kind (one resource of each kind)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text("utf-8")):
            assert doc["kind"] not in found, f"second {doc['kind']} in {path.name}"
            found[doc["kind"]] = doc
    return found


def validate(resource: dict[str, Any]) -> None:
    if resource["apiVersion"].startswith("monitoring.coreos.com/"):
        jsonschema.validate(resource, PODMONITOR_SCHEMA)
    else:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("kind", sorted(manifests()))
def test_manifest_matches_its_schema(kind: str) -> None:
    validate(manifests()[kind])


def test_every_required_kind_is_there() -> None:
    assert set(manifests()) >= {"Deployment", "Service", "ConfigMap", "PodMonitor", "HorizontalPodAutoscaler"}


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("Deployment", ["spec", "replicas"], "two"),
        (
            "Deployment",
            ["spec", "template", "spec", "containers", 0, "livenessProbe", "httpGet", "prot"],
            "web",
        ),
        ("HorizontalPodAutoscaler", ["spec", "maxReplica"], 4),
        ("PodMonitor", ["spec", "podMetricsEndpoints", 0, "interval"], "15 seconds"),
    ],
)
def test_a_broken_manifest_is_rejected(kind: str, path: list[str | int], value: Any) -> None:
    resource = manifests()[kind]
    node: Any = resource
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        validate(resource)


def test_kustomization_lists_every_manifest() -> None:
    listed = load_yaml(K8S / "kustomization.yaml")["resources"]
    assert sorted(listed) == sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def test_configmap_is_a_valid_worker_configuration() -> None:
    settings = Settings.from_env(manifests()["ConfigMap"]["data"])
    assert settings.store == "rocksdb://"
    assert settings.security_protocol == "PLAINTEXT"


def test_replicas_never_exceed_the_partition_count() -> None:
    found = manifests()
    partitions = Settings.from_env(found["ConfigMap"]["data"]).partitions
    hpa = found["HorizontalPodAutoscaler"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == found["Deployment"]["metadata"]["name"]
    assert (
        1 <= hpa["minReplicas"] <= found["Deployment"]["spec"]["replicas"] <= hpa["maxReplicas"] <= partitions
    )


def test_probes_and_monitoring_use_the_worker_web_port() -> None:
    found = manifests()
    web_port = Settings.from_env(found["ConfigMap"]["data"]).web_port
    pod = found["Deployment"]["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"web": web_port}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "web"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "web"}
    (endpoint,) = found["PodMonitor"]["spec"]["podMetricsEndpoints"]
    assert (endpoint["port"], endpoint["path"]) == ("web", "/metrics")
    assert found["Service"]["spec"]["ports"][0]["targetPort"] == "web"


def test_selectors_match_the_worker_pods() -> None:
    found = manifests()
    labels = found["Deployment"]["spec"]["template"]["metadata"]["labels"]
    selectors = [
        found["Deployment"]["spec"]["selector"]["matchLabels"],
        found["Service"]["spec"]["selector"],
        found["PodMonitor"]["spec"]["selector"]["matchLabels"],
        found["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"],
    ]
    for selector in selectors:
        assert selector.items() <= labels.items()


def test_pods_run_as_the_image_user() -> None:
    """The pod's user is the non-root user the Dockerfile creates."""
    uid = re.search(r"^ARG UID=(\d+)$", (ROOT / "Dockerfile").read_text("utf-8"), re.MULTILINE)
    assert uid is not None
    context = manifests()["Deployment"]["spec"]["template"]["spec"]["securityContext"]
    assert context["runAsNonRoot"] is True and context["runAsUser"] == int(uid.group(1))


def test_monitoring_job_label_is_the_one_alerts_select() -> None:
    (endpoint,) = manifests()["PodMonitor"]["spec"]["podMetricsEndpoints"]
    assert {"action": "replace", "targetLabel": "job", "replacement": "newsevents"} in endpoint["relabelings"]


def test_rocksdb_state_dir_is_a_writable_volume() -> None:
    found = manifests()
    data_dir = Settings.from_env(found["ConfigMap"]["data"]).data_dir
    (container,) = found["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert data_dir in {mount["mountPath"] for mount in container["volumeMounts"]}
