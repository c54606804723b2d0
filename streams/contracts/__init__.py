"""Topic names, record shapes and their JSON Schemas: the one place that declares the contracts.

Records are plain dicts (orjson on the wire). The TypedDicts in :mod:`.records` document and
type-check them; the JSON Schemas in ``schemas/`` are what consumers and tests validate against.
"""

from streams.contracts.records import (
    DEADLETTER_MAX_ORIGINAL,
    DEADLETTER_REASONS,
    PLOVER_TYPES,
    SCHEMA_VERSION,
    Actor,
    CleanArticle,
    DeadLetter,
    DuplicateLink,
    Event,
    Evidence,
    GeoPlace,
    Place,
    Rejected,
    dead_letter,
    parse_rfc3339,
    rfc3339,
    utc_now,
)
from streams.contracts.topics import (
    ALL_TOPICS,
    CLEAN,
    COMPACTED_TOPICS,
    DEADLETTER,
    DEDUP_BANDS,
    DEDUP_REPORTS,
    DUPLICATES,
    EVENTS,
    MAX_MESSAGE_BYTES,
    RAW,
    SCHEMA_TOPICS,
    UNIQUE,
)
from streams.contracts.validation import schema, validate

__all__ = [
    "ALL_TOPICS",
    "CLEAN",
    "COMPACTED_TOPICS",
    "DEADLETTER",
    "DEADLETTER_MAX_ORIGINAL",
    "DEADLETTER_REASONS",
    "DEDUP_BANDS",
    "DEDUP_REPORTS",
    "DUPLICATES",
    "EVENTS",
    "MAX_MESSAGE_BYTES",
    "PLOVER_TYPES",
    "RAW",
    "SCHEMA_TOPICS",
    "SCHEMA_VERSION",
    "UNIQUE",
    "Actor",
    "CleanArticle",
    "DeadLetter",
    "DuplicateLink",
    "Event",
    "Evidence",
    "GeoPlace",
    "Place",
    "Rejected",
    "dead_letter",
    "parse_rfc3339",
    "rfc3339",
    "schema",
    "utc_now",
    "validate",
]
