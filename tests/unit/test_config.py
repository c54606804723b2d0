"""Settings from the environment, including TLS/SASL for both Kafka clients."""

from __future__ import annotations

import faust
import pytest

from streams.config import ConfigError, Settings


def test_defaults_point_at_the_local_broker() -> None:
    settings = Settings.from_env({})
    assert settings.bootstrap_servers == "127.0.0.1:9092"
    assert settings.web_port == 9108
    assert settings.faust_credentials() is None
    assert settings.kafka_python_config() == {
        "bootstrap_servers": ["127.0.0.1:9092"],
        "security_protocol": "PLAINTEXT",
    }


def test_environment_overrides() -> None:
    settings = Settings.from_env(
        {
            "KAFKA_BOOTSTRAP_SERVERS": "k1:9092,k2:9092",
            "NEWSEVENTS_PARTITIONS": "12",
            "NEWSEVENTS_STORE": "rocksdb://",
            "NEWSEVENTS_WEB_PORT": "9200",
        }
    )
    assert settings.kafka_python_config()["bootstrap_servers"] == ["k1:9092", "k2:9092"]
    assert (settings.partitions, settings.store, settings.web_port) == (12, "rocksdb://", 9200)


def test_stage_budget_and_dead_letter_prefix() -> None:
    defaults = Settings.from_env({})
    assert (defaults.stage_timeout, defaults.deadletter_max_original) == (5.0, 1024 * 1024)
    settings = Settings.from_env(
        {"NEWSEVENTS_STAGE_TIMEOUT": "2.5", "NEWSEVENTS_DEADLETTER_MAX_ORIGINAL": "4096"}
    )
    assert (settings.stage_timeout, settings.deadletter_max_original) == (2.5, 4096)


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_settings_reach_both_clients(mechanism: str) -> None:
    settings = Settings.from_env(
        {
            "KAFKA_SECURITY_PROTOCOL": "sasl_plaintext",
            "KAFKA_SASL_MECHANISM": mechanism,
            "KAFKA_SASL_USERNAME": "pipeline",
            "KAFKA_SASL_PASSWORD": "s3cret",
        }
    )
    kafka_python = settings.kafka_python_config()
    assert kafka_python["security_protocol"] == "SASL_PLAINTEXT"
    assert kafka_python["sasl_mechanism"] == mechanism
    assert kafka_python["sasl_plain_username"] == "pipeline"
    assert kafka_python["sasl_plain_password"] == "s3cret"
    credentials = settings.faust_credentials()
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.mechanism.value == mechanism
    assert credentials.username == "pipeline"


def test_secrets_are_masked_in_descriptions() -> None:
    settings = Settings.from_env(
        {
            "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "KAFKA_SASL_MECHANISM": "PLAIN",
            "KAFKA_SASL_USERNAME": "pipeline",
            "KAFKA_SASL_PASSWORD": "s3cret",
        }
    )
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings.describe())
    assert settings.describe()["sasl_password"] == "***"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NEWSEVENTS_PARTITIONS": "many"}, "must be an integer"),
        ({"NEWSEVENTS_PARTITIONS": "0"}, "at least 1"),
        ({"NEWSEVENTS_DEDUP_SWEEP_INTERVAL": "0"}, "positive number of seconds"),
        ({"NEWSEVENTS_STAGE_TIMEOUT": "0"}, "NEWSEVENTS_STAGE_TIMEOUT must be a positive"),
        ({"NEWSEVENTS_STAGE_TIMEOUT": "soon"}, "must be a number"),
        ({"NEWSEVENTS_BATCH_WAIT": "0"}, "NEWSEVENTS_BATCH_WAIT must be a positive"),
        ({"NEWSEVENTS_STANDBY_REPLICAS": "-1"}, "NEWSEVENTS_STANDBY_REPLICAS must be 0 or more"),
        ({"NEWSEVENTS_MAX_BACKLOG": "-1"}, "NEWSEVENTS_MAX_BACKLOG must be a number of articles"),
        ({"NEWSEVENTS_MAX_BACKLOG": "lots"}, "must be an integer"),
        ({"NEWSEVENTS_DEADLETTER_MAX_ORIGINAL": "-1"}, "NEWSEVENTS_DEADLETTER_MAX_ORIGINAL"),
        ({"NEWSEVENTS_DEADLETTER_MAX_ORIGINAL": "1.5"}, "must be an integer"),
        ({"KAFKA_SECURITY_PROTOCOL": "TLS"}, "KAFKA_SECURITY_PROTOCOL"),
        ({"KAFKA_COMPRESSION_TYPE": "brotli"}, "KAFKA_COMPRESSION_TYPE must be one of zstd, gzip, none"),
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "PLAIN"}, "USERNAME"),
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "GSSAPI"}, "MECHANISM"),
    ],
)
def test_bad_settings_fail_with_a_clear_message(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_alert_settings() -> None:
    assert Settings.from_env({}).alert_rules is None
    settings = Settings.from_env(
        {"NEWSEVENTS_ALERT_RULES": "/etc/newsevents/rules.yaml", "NEWSEVENTS_ALERT_WEBHOOK": "http://hook/"}
    )
    assert (settings.alert_rules, settings.alert_webhook) == ("/etc/newsevents/rules.yaml", "http://hook/")
    with pytest.raises(ConfigError, match="NEWSEVENTS_ALERT_RULES"):
        Settings.from_env({"NEWSEVENTS_ALERT_WEBHOOK": "http://hook/"})


def test_dedup_window_setting_shortens_the_retention() -> None:
    assert Settings.from_env({}).dedup_config().retention_days == 7.0
    config = Settings.from_env({"NEWSEVENTS_DEDUP_WINDOW_S": "120"}).dedup_config()
    assert config.retention_seconds == pytest.approx(120.0)
    with pytest.raises(ConfigError, match="NEWSEVENTS_DEDUP_WINDOW_S"):
        Settings.from_env({"NEWSEVENTS_DEDUP_WINDOW_S": "-5"})


def test_compression_codec_for_the_producers() -> None:
    """zstd by default; "none" sends batches uncompressed (the clients take None for that)."""
    assert Settings.from_env({}).producer_compression == "zstd"
    assert Settings.from_env({"KAFKA_COMPRESSION_TYPE": "GZIP"}).producer_compression == "gzip"
    assert Settings.from_env({"KAFKA_COMPRESSION_TYPE": "none"}).producer_compression is None
