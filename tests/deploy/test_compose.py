"""docker-compose.yml, validated and normalised by Docker Compose v2 itself (no Docker engine needed)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from artifacts import PROMETHEUS_DIR, ROOT, load_yaml

from streams.config import Settings

WORKERS = ("worker-1", "worker-2")
APP_TOPICS = """
import dataclasses, json, os, sys
import faust
from streams.worker.agents import register
from streams.worker.app import create_app
from streams.config import Settings
# As compose configures the workers: with the example alert rules (their agents and table).
pipeline = create_app(Settings.from_env({"NEWSEVENTS_ALERT_RULES": "deploy/alerts/rules.yaml"}))
register(pipeline)
topics = {}
for field in dataclasses.fields(pipeline):
    topic = getattr(pipeline, field.name)
    if isinstance(topic, faust.types.TopicT):
        for name in topic.topics:
            topics[name] = bool(topic.compacting)
for table in pipeline.app.tables.values():
    topics[table.changelog_topic.get_topic_name()] = True
print(json.dumps(topics))
sys.stdout.flush()
os._exit(0)  # the extract agent loads its model in a thread; no need to wait for it
"""


def compose_config(binary: Path, compose_file: Path) -> subprocess.CompletedProcess[str]:
    # A clean environment, so the file's own defaults are what is validated.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [
            str(binary),
            "--project-directory",
            str(ROOT),
            "-f",
            str(compose_file),
            "config",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture(scope="module")
def model(compose_binary: Path) -> dict[str, Any]:
    result = compose_config(compose_binary, ROOT / "docker-compose.yml")
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


@pytest.fixture(scope="module")
def app_topics() -> dict[str, bool]:
    """Topic name -> compacted, as the worker's own Faust app declares them."""
    result = subprocess.run(
        [sys.executable, "-c", APP_TOPICS], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, bool] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_stack_has_every_service(model: dict[str, Any]) -> None:
    assert set(model["services"]) == {"kafka", "topic-init", *WORKERS, "replay", "prometheus", "grafana"}


def test_images_are_pinned(model: dict[str, Any]) -> None:
    for name, service in model["services"].items():
        image = service["image"]
        assert re.fullmatch(r"[\w./-]+:[\w.-]+", image), f"{name}: {image} has no tag"
        assert not image.endswith(":latest"), f"{name}: {image}"
    assert model["services"]["kafka"]["image"].startswith("apache/kafka:")


def test_kafka_runs_in_kraft_mode(model: dict[str, Any]) -> None:
    env = model["services"]["kafka"]["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] and env["CLUSTER_ID"]
    assert "ZOOKEEPER" not in " ".join(env)
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"  # topics come from topic-init only


def test_workers_are_built_from_the_dockerfile_and_configured(model: dict[str, Any]) -> None:
    volumes = set()
    for name in WORKERS:
        worker = model["services"][name]
        assert worker["build"]["dockerfile"] == "Dockerfile"
        assert worker["command"] == ["worker"]
        assert worker["depends_on"]["topic-init"]["condition"] == "service_completed_successfully"
        settings = Settings.from_env(worker["environment"])
        assert settings.bootstrap_servers == "kafka:9092"
        assert settings.store == "rocksdb://"
        (mount,) = [v for v in worker["volumes"] if v["target"] == settings.data_dir]
        volumes.add(mount["source"])
    assert len(volumes) == len(WORKERS), "each worker needs its own RocksDB volume"


def test_topic_init_creates_every_topic_of_the_app(
    model: dict[str, Any], app_topics: dict[str, bool]
) -> None:
    env = model["services"]["topic-init"]["environment"]
    plain = set(env["TOPICS"].split())
    compacted = set(env["COMPACTED_TOPICS"].split())
    compacted |= {f"{env['APP_ID']}-{table}-changelog" for table in env["TABLES"].split()}
    assert plain | compacted == set(app_topics)
    assert compacted == {name for name, is_compacted in app_topics.items() if is_compacted}
    assert "events" in compacted
    worker_env = model["services"]["worker-1"]["environment"]
    assert env["PARTITIONS"] == worker_env["NEWSEVENTS_PARTITIONS"]
    assert env["APP_ID"] == worker_env["NEWSEVENTS_APP_ID"]


def test_prometheus_scrapes_every_worker(model: dict[str, Any]) -> None:
    config = load_yaml(PROMETHEUS_DIR / "prometheus.yml")
    (job,) = config["scrape_configs"]
    targets = {target for group in job["static_configs"] for target in group["targets"]}
    ports = {Settings.from_env(model["services"][name]["environment"]).web_port for name in WORKERS}
    assert targets == {f"{name}:{port}" for name in WORKERS for port in ports}


def test_bind_mounts_exist(model: dict[str, Any]) -> None:
    for name, service in model["services"].items():
        for volume in service.get("volumes", []):
            if volume["type"] == "bind":
                assert Path(volume["source"]).exists(), f"{name}: {volume['source']}"


def test_replay_feeds_the_bundled_sample(model: dict[str, Any]) -> None:
    replay = model["services"]["replay"]
    (mount,) = replay["volumes"]
    source = replay["command"][1].replace(mount["target"], mount["source"], 1)
    assert replay["command"][0] == "produce" and Path(source).is_file()


def test_a_broken_compose_file_is_rejected(compose_binary: Path, tmp_path: Path) -> None:
    text = (ROOT / "docker-compose.yml").read_text("utf-8")
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        text.replace("    restart: unless-stopped\n", "    restart: unless-stopped\n    restrat: no\n", 1)
    )
    result = compose_config(compose_binary, broken)
    assert result.returncode != 0
    assert "restrat" in result.stderr
