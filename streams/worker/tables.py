"""Tables whose changelog gets each key's latest value once per offset commit, not every write.

A Faust table sends a changelog record for every write. The stage state is written far more often than
it is committed: a term bucket or a story is rewritten by every article that touches it, and a parked
article is written and deleted within seconds, so most changelog records were superseded before the
next commit. Recovery needs only what the changelog holds at a commit, so :class:`CoalescedTable` notes
which keys changed and sends their latest value (or a tombstone) when the producer is flushed before the
offsets are committed (``transport._NewsProducer.flush``), and on rebalance and shutdown, which flush too.
A key written and deleted between two flushes (an article parked and judged) sends nothing at all.
Measured: docs/performance.md.
"""

from __future__ import annotations

from typing import Any

import faust


class CoalescedTable(faust.Table):
    """A ``faust.Table`` whose changelog writes wait for :meth:`send_changes`; its keys are written by
    the partition of the event being processed (no ``use_partitioner``), as every agent here does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: (changelog partition, key) of the keys written since the last flush, in write order, each with
        #: whether it held a value then: a key written and deleted in between needs no tombstone
        self._changed: dict[tuple[int, Any], bool] = {}

    def _partition(self, key: Any) -> int:
        partition = self.partition_for_key(key)
        if partition is None:
            raise TypeError(f"{self.name}: coalesced tables take the event's partition, no use_partitioner")
        return partition

    def _change(self, key: Any) -> int:
        """Note the key as changed (called before the write) and return its changelog partition."""
        partition = self._partition(key)
        if (partition, key) not in self._changed:
            self._changed[(partition, key)] = key in self.data
        return partition

    def on_key_set(self, key: Any, value: Any) -> None:
        partition = self._change(key)
        self._maybe_set_key_ttl(key, partition)
        self._sensor_on_set(self, key, value)

    def on_key_del(self, key: Any) -> None:
        partition = self._change(key)
        self._maybe_del_key_ttl(key, partition)
        self._sensor_on_del(self, key)

    def send_changes(self) -> int:
        """Queue one changelog record per key changed since the last call: its value now, or a tombstone
        when it is gone and was there at the last call. Returns how many."""
        changed, self._changed = self._changed, {}
        sent = 0
        for (partition, key), existed in changed.items():
            if key in self.data:
                self.send_changelog(partition, key, self.data[key])
            elif existed:
                self.send_changelog(partition, key, value=None, value_serializer="raw")
            else:
                continue
            sent += 1
        return sent
