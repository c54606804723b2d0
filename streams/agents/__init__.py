"""Faust agents: thin wiring that moves records between topics and calls the stage code."""

from __future__ import annotations

from streams.agents import dedup, extract, normalize, ops
from streams.agents.models import Models
from streams.app import Pipeline


def wire(pipeline: Pipeline) -> None:
    """Register every agent, web page and timer of a worker on the pipeline's app."""
    models = Models()

    @pipeline.app.task
    async def load_models() -> None:
        models.start()

    normalize.wire(pipeline, models)
    dedup.wire(pipeline, models)
    extract.wire(pipeline, models)
    ops.wire(pipeline, models)
