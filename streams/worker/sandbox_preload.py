"""Imported by the sandbox's fork server only (``sandbox.PRELOAD``): runs normalize once there, so its
lazily loaded models (language id, the place index behind datelines) are in memory before any child is
forked, and a child that replaces a killed one starts warm in milliseconds instead of seconds."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from streams.stages.normalize import normalize
from streams.worker.sandbox import WARM_UP_ARTICLE

try:
    normalize(WARM_UP_ARTICLE, datetime.now(UTC))
except Exception:  # a child still works cold; the fork server must not die over it
    logging.getLogger("newsevents").exception("sandbox warm-up failed")
