"""Imported by the sandbox's fork server only (``sandbox.PRELOAD``): loads every stage's models once there
(normalize's language id and place index, dedup's encoder, extract's spaCy pipeline), so a child forked
later, or one that replaces a killed one, starts warm in milliseconds instead of seconds."""

from __future__ import annotations

import logging

from streams.worker import models

try:
    models.preload()
except Exception:  # a child still works cold; the fork server must not die over it
    logging.getLogger("newsevents").exception("sandbox warm-up failed")
