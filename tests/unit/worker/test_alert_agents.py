"""The worker's alerts agents are registered only with a rules file, and a bad one stops the start."""

from __future__ import annotations

from pathlib import Path

import pytest
from alert_records import story

from streams.config import ConfigError, Settings
from streams.worker import metrics
from streams.worker.agents import alerts
from streams.worker.app import create_app


def agent_names(settings: Settings) -> set[str]:
    pipeline = create_app(settings)
    alerts.register(pipeline)
    return {agent.name for agent in pipeline.app.agents.values()}


def test_no_rules_no_alert_agents() -> None:
    assert agent_names(Settings()) == set()


def test_rules_register_the_route_and_evaluation_agents(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: any-protest\n    event_types: [PROTEST]\n", "utf-8")
    assert agent_names(Settings(alert_rules=str(rules))) == {
        "alerts-route-events",
        "alerts-route-stories",
        "alerts",
    }


def test_a_bad_rules_file_is_a_configuration_error_naming_the_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: a\n    countries: [France]\n", "utf-8")
    with pytest.raises(
        ConfigError, match=r"NEWSEVENTS_ALERT_RULES: .*rules.yaml:3: rules\[0\].countries\[0\]"
    ):
        alerts.register(create_app(Settings(alert_rules=str(rules))))


def test_top_stories_gauge_keeps_the_biggest_recent_stories() -> None:
    top = metrics.TopStories(size=2, window=3600, keep=3)

    def shown() -> dict[str, float]:
        return {
            sample.labels["story_id"]: sample.value
            for family in metrics.TOP_STORY_SOURCES.collect()
            for sample in family.samples
        }

    top.observe(story(0, 5, story_id="s-a"))
    top.observe(story(10, 9, story_id="s-b"))
    top.observe(story(20, 2, story_id="s-c"))
    assert shown() == {"s-b": 9, "s-a": 5}
    top.observe(story(30, 7, story_id="s-c"))
    assert shown() == {"s-b": 9, "s-c": 7}
    # Two hours later only what was updated within the hour counts; s-a, the oldest, is forgotten.
    top.observe(story(150, 3, story_id="s-d"))
    assert shown() == {"s-d": 3}
    assert set(top.stories) == {"s-b", "s-c", "s-d"}
    top.observe({"story_id": "s-e"})
    assert shown() == {"s-d": 3}
