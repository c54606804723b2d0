"""Log hygiene for outages: a client that retries a closed connection logs the same error many times
a second; the first one is kept and the repeats are summed up once a minute."""

from __future__ import annotations

import logging
import time


class RepeatFilter(logging.Filter):
    """Passes the first record of each (logger, message template) per ``window`` seconds; a later one
    carries how many were held back."""

    def __init__(self, window: float = 60.0) -> None:
        super().__init__()
        self.window = window
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, str(record.msg))
        now = time.monotonic()
        first, held = self._seen.get(key, (0.0, 0))
        if first and now - first < self.window:
            self._seen[key] = (first, held + 1)
            return False
        self._seen[key] = (now, 0)
        if held:
            record.msg = f"{record.msg} [repeated {held} more times in the last {self.window:.0f} s]"
        return True

    @classmethod
    def install(cls, window: float = 60.0) -> None:
        """Attach a filter to every handler of the root logger that has none yet. Handler filters
        see the records of child loggers ('aiokafka.consumer.fetcher'); logger filters would not.
        Call it once logging is configured (Faust sets its handlers up when the worker starts)."""
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, cls) for f in handler.filters):
                handler.addFilter(cls(window))
