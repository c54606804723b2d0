"""Settings from environment variables, shared by the Faust worker and the kafka-python tools.

Everything a deployment changes is an environment variable, so the same image runs in the
embedded demo, docker-compose and Kubernetes. Secrets are read here and never logged:
:meth:`Settings.describe` masks them.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, TypeVar

from streams.contracts import DEADLETTER_MAX_ORIGINAL

if TYPE_CHECKING:
    from streams.stages.dedup import DedupConfig

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
#: Articles per batch in the dedup route agent: signatures embed a batch at once (~3x cheaper
#: per article). eval and bench use it too, so they run the worker's path.
DEDUP_BATCH_SIZE = 32
#: Default articles per spaCy batch in the extract agent (``NEWSEVENTS_EXTRACT_BATCH_SIZE``).
EXTRACT_BATCH_SIZE = 32
#: Default time budget of one record in a stage (``NEWSEVENTS_STAGE_TIMEOUT``), in seconds: normalize
#: takes ~10 ms for an ordinary page, so only pathological input comes near it.
STAGE_TIMEOUT = 5.0
SECRET_FIELDS = frozenset({"sasl_password", "ssl_key_password"})
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
#: Producer compression codecs whose libraries the package installs (aiokafka needs cramjam for zstd,
#: kafka-python zstandard); "none" sends record batches as they are.
COMPRESSION_TYPES = ("zstd", "gzip", "none")


Number = TypeVar("Number", int, float)


class ConfigError(ValueError):
    """A setting has a value the pipeline cannot run with."""


def _number(env: Mapping[str, str], name: str, default: Number) -> Number:
    """The variable parsed as the type of its default, or a ConfigError that names it."""
    raw = env.get(name, "")
    kind = type(default)
    try:
        return kind(raw) if raw else default
    except ValueError as exc:
        raise ConfigError(
            f"{name} must be {'an integer' if kind is int else 'a number'}, got {raw!r}"
        ) from exc


@dataclass(frozen=True)
class Settings:
    bootstrap_servers: str = DEFAULT_BOOTSTRAP
    app_id: str = "newsevents"
    partitions: int = 4
    replication_factor: int = 1
    store: str = "memory://"
    data_dir: str = "newsevents-data"
    web_host: str = "0.0.0.0"
    web_port: int = 9108
    processing_guarantee: str = "at_least_once"
    rebalance_timeout: float = 3.0
    #: Copies of each table partition kept warm on other workers. Faust's default 1 spares a takeover the
    #: changelog replay, but every worker then reads and applies the others' changelogs: two workers
    #: drained a burst at 12.5 articles/s with it against 19.3 without (docs/performance.md).
    standby_replicas: int = 0
    session_timeout: float = 6.0
    extract_batch_size: int = EXTRACT_BATCH_SIZE
    #: Seconds a batched agent (dedup-route, extract) waits for more records once it is idle. Faust's take()
    #: waits the whole period whenever fewer than a batch are buffered, so at a steady feed this is added
    #: latency; under load the batch fills while the previous one is processed, whatever the wait.
    batch_wait: float = 0.01
    #: Articles a worker lets wait for dedup's route or extract on its partitions before it stops
    #: fetching new raw articles (until half are done); 0 admits everything at once.
    max_backlog: int = 400
    #: Seconds between offset commits: how much a killed worker replays (Faust's default is 2.8).
    commit_interval: float = 1.0
    #: How long a worker's fetch may wait at the broker for data; None keeps Faust's 1.5 s. Apache
    #: Kafka answers as soon as data arrives, the embedded broker only after ~0.5 s, so LocalPipeline
    #: sets 50 ms for it; a short wait costs ~1000/wait fetch requests per second per idle consumer.
    fetch_max_wait_ms: int | None = None
    #: How producers compress record batches (every topic, changelogs included); consumers decode any.
    compression_type: str = "zstd"
    #: Seconds between dedup expiry sweeps; each scans every dedup key, so rarely (tests shorten it).
    dedup_sweep_interval: float = 300.0
    #: The dedup window in seconds (reprints are matched, and state kept, within it); None keeps
    #: ``DedupConfig.retention_days``. A short one lets state plateau in a soak within minutes.
    dedup_window_s: float | None = None
    #: Seconds a partition may have lag without its committed offset moving before its agent
    #: counts as stuck (``/readyz`` false).
    stuck_after: float = 60.0
    #: Seconds a worker may stay unready for a fault (broker unreachable, agent dead or stuck)
    #: before ``/healthz`` fails too, so that Kubernetes restarts it.
    unhealthy_after: float = 120.0
    #: Seconds a record may take in a stage before it is dead-lettered with reason ``timeout``.
    stage_timeout: float = STAGE_TIMEOUT
    #: Hours of publication time within which an article can join a story (and story state is kept).
    story_window_hours: float = 72.0
    #: Seconds between two records of one story on the ``stories`` topic (0: every change).
    story_publish_interval: float = 10.0
    #: Bytes of the original a dead letter keeps (its length and SHA-256 describe the whole).
    deadletter_max_original: int = DEADLETTER_MAX_ORIGINAL
    #: A rules file: the worker then evaluates it over events and stories and publishes to ``alerts``.
    alert_rules: str | None = None
    #: Where the worker also POSTs each alert it publishes (retried with back-off), when set.
    alert_webhook: str | None = None
    log_level: str = "info"
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_key_password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        settings = cls(
            bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS") or DEFAULT_BOOTSTRAP,
            app_id=env.get("NEWSEVENTS_APP_ID") or "newsevents",
            partitions=_number(env, "NEWSEVENTS_PARTITIONS", 4),
            replication_factor=_number(env, "NEWSEVENTS_REPLICATION_FACTOR", 1),
            store=env.get("NEWSEVENTS_STORE") or "memory://",
            data_dir=env.get("NEWSEVENTS_DATA_DIR") or "newsevents-data",
            web_host=env.get("NEWSEVENTS_WEB_HOST") or "0.0.0.0",
            web_port=_number(env, "NEWSEVENTS_WEB_PORT", 9108),
            processing_guarantee=env.get("NEWSEVENTS_PROCESSING_GUARANTEE") or "at_least_once",
            rebalance_timeout=_number(env, "NEWSEVENTS_REBALANCE_TIMEOUT", 3.0),
            standby_replicas=_number(env, "NEWSEVENTS_STANDBY_REPLICAS", 0),
            session_timeout=_number(env, "NEWSEVENTS_SESSION_TIMEOUT", 6.0),
            extract_batch_size=_number(env, "NEWSEVENTS_EXTRACT_BATCH_SIZE", EXTRACT_BATCH_SIZE),
            batch_wait=_number(env, "NEWSEVENTS_BATCH_WAIT", 0.01),
            max_backlog=_number(env, "NEWSEVENTS_MAX_BACKLOG", 400),
            commit_interval=_number(env, "NEWSEVENTS_COMMIT_INTERVAL", 1.0),
            fetch_max_wait_ms=_number(env, "NEWSEVENTS_FETCH_MAX_WAIT_MS", 0) or None,
            compression_type=(env.get("KAFKA_COMPRESSION_TYPE") or "zstd").lower(),
            dedup_sweep_interval=_number(env, "NEWSEVENTS_DEDUP_SWEEP_INTERVAL", 300.0),
            dedup_window_s=_number(env, "NEWSEVENTS_DEDUP_WINDOW_S", 0.0) or None,
            stuck_after=_number(env, "NEWSEVENTS_STUCK_AFTER", 60.0),
            unhealthy_after=_number(env, "NEWSEVENTS_UNHEALTHY_AFTER", 120.0),
            stage_timeout=_number(env, "NEWSEVENTS_STAGE_TIMEOUT", STAGE_TIMEOUT),
            story_window_hours=_number(env, "NEWSEVENTS_STORY_WINDOW_HOURS", 72.0),
            story_publish_interval=_number(env, "NEWSEVENTS_STORY_PUBLISH_INTERVAL", 10.0),
            deadletter_max_original=_number(
                env, "NEWSEVENTS_DEADLETTER_MAX_ORIGINAL", DEADLETTER_MAX_ORIGINAL
            ),
            alert_rules=env.get("NEWSEVENTS_ALERT_RULES") or None,
            alert_webhook=env.get("NEWSEVENTS_ALERT_WEBHOOK") or None,
            log_level=(env.get("NEWSEVENTS_LOG_LEVEL") or "info").lower(),
            security_protocol=(env.get("KAFKA_SECURITY_PROTOCOL") or "PLAINTEXT").upper(),
            sasl_mechanism=(env.get("KAFKA_SASL_MECHANISM") or "").upper() or None,
            sasl_username=env.get("KAFKA_SASL_USERNAME") or None,
            sasl_password=env.get("KAFKA_SASL_PASSWORD") or None,
            ssl_cafile=env.get("KAFKA_SSL_CAFILE") or None,
            ssl_certfile=env.get("KAFKA_SSL_CERTFILE") or None,
            ssl_keyfile=env.get("KAFKA_SSL_KEYFILE") or None,
            ssl_key_password=env.get("KAFKA_SSL_KEY_PASSWORD") or None,
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.partitions < 1:
            raise ConfigError("NEWSEVENTS_PARTITIONS must be at least 1")
        if self.standby_replicas < 0:
            raise ConfigError("NEWSEVENTS_STANDBY_REPLICAS must be 0 or more")
        if self.fetch_max_wait_ms is not None and self.fetch_max_wait_ms < 0:
            raise ConfigError("NEWSEVENTS_FETCH_MAX_WAIT_MS must be a positive number of milliseconds")
        for name in (
            "commit_interval",
            "dedup_sweep_interval",
            "stuck_after",
            "unhealthy_after",
            "stage_timeout",
            "batch_wait",
        ):
            if getattr(self, name) <= 0:
                raise ConfigError(f"NEWSEVENTS_{name.upper()} must be a positive number of seconds")
        if self.story_window_hours <= 0:
            raise ConfigError("NEWSEVENTS_STORY_WINDOW_HOURS must be a positive number of hours")
        if self.story_publish_interval < 0:
            raise ConfigError("NEWSEVENTS_STORY_PUBLISH_INTERVAL must be 0 or more seconds")
        if self.dedup_window_s is not None and self.dedup_window_s <= 0:
            raise ConfigError("NEWSEVENTS_DEDUP_WINDOW_S must be a positive number of seconds")
        if self.max_backlog < 0:
            raise ConfigError("NEWSEVENTS_MAX_BACKLOG must be a number of articles, 0 or more")
        if self.deadletter_max_original < 0:
            raise ConfigError("NEWSEVENTS_DEADLETTER_MAX_ORIGINAL must be a number of bytes, 0 or more")
        if self.alert_webhook and not self.alert_rules:
            raise ConfigError(
                "NEWSEVENTS_ALERT_WEBHOOK needs NEWSEVENTS_ALERT_RULES (the rules that fire alerts)"
            )
        if self.processing_guarantee not in ("at_least_once", "exactly_once"):
            raise ConfigError("NEWSEVENTS_PROCESSING_GUARANTEE must be at_least_once or exactly_once")
        if self.compression_type not in COMPRESSION_TYPES:
            raise ConfigError(f"KAFKA_COMPRESSION_TYPE must be one of {', '.join(COMPRESSION_TYPES)}")
        if self.security_protocol not in SECURITY_PROTOCOLS:
            raise ConfigError(f"KAFKA_SECURITY_PROTOCOL must be one of {', '.join(SECURITY_PROTOCOLS)}")
        if self.uses_sasl:
            if self.sasl_mechanism not in SASL_MECHANISMS:
                raise ConfigError(f"KAFKA_SASL_MECHANISM must be one of {', '.join(SASL_MECHANISMS)}")
            if not (self.sasl_username and self.sasl_password):
                raise ConfigError("SASL needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")

    def dedup_config(self) -> DedupConfig:
        """The dedup stage's knobs with this deployment's window."""
        from streams.stages.dedup import DEFAULT

        if self.dedup_window_s is None:
            return DEFAULT
        return replace(DEFAULT, retention_days=self.dedup_window_s / 86400)

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    def describe(self) -> dict[str, Any]:
        """The settings for logs and ``--help`` output, secrets masked."""
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in SECRET_FIELDS:
            if shown[name]:
                shown[name] = "***"
        return shown

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.uses_tls:
            return None
        context = ssl.create_default_context(cafile=self.ssl_cafile)
        if self.ssl_certfile:
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile, self.ssl_key_password)
        return context

    def faust_credentials(self) -> Any:
        """Credentials object for ``faust.App(broker_credentials=...)``; None for plaintext."""
        import faust

        context = self.ssl_context()
        if self.uses_sasl:
            assert self.sasl_username is not None and self.sasl_password is not None
            if self.sasl_mechanism == "PLAIN":
                return faust.SASLCredentials(
                    username=self.sasl_username, password=self.sasl_password, ssl_context=context
                )
            return faust.SASLCredentials(
                username=self.sasl_username,
                password=self.sasl_password,
                mechanism=self.sasl_mechanism,
                ssl_context=context,
            )
        if context is not None:
            return faust.SSLCredentials(context)
        return None

    @property
    def producer_compression(self) -> str | None:
        """The codec name the Kafka clients take (None: uncompressed)."""
        return None if self.compression_type == "none" else self.compression_type

    def kafka_python_config(self) -> dict[str, Any]:
        """Keyword arguments for kafka-python's KafkaProducer/KafkaConsumer/KafkaAdminClient."""
        config: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers.split(","),
            "security_protocol": self.security_protocol,
        }
        if self.uses_tls:
            config.update(
                ssl_cafile=self.ssl_cafile,
                ssl_certfile=self.ssl_certfile,
                ssl_keyfile=self.ssl_keyfile,
                ssl_password=self.ssl_key_password,
            )
        if self.uses_sasl:
            config.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.sasl_username,
                sasl_plain_password=self.sasl_password,
            )
        return config
