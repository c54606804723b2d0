"""Alerts over events and stories: rules files (:mod:`.rules`) and their evaluation (:mod:`.evaluate`).

Plain functions over a state mapping, like the other stages: the ``alerts`` command keeps the state in
a dict, the worker in a table.
"""

from streams.stages.alerts.evaluate import evaluate, expire, remember_sent, subject_key
from streams.stages.alerts.rules import Rule, RulesError, load_rules, parse_rules

__all__ = [
    "Rule",
    "RulesError",
    "evaluate",
    "expire",
    "load_rules",
    "parse_rules",
    "remember_sent",
    "subject_key",
]
