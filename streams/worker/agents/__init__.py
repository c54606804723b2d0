"""Faust agents: thin wiring that moves records between topics and calls the stage code."""

from __future__ import annotations

from streams.stages.stories import InFlight
from streams.worker import admission, health
from streams.worker.agents import alerts, dedup, extract, normalize, stories
from streams.worker.app import Pipeline
from streams.worker.models import Models


def register(pipeline: Pipeline) -> None:
    """Register every agent, web page and timer of a worker on the pipeline's app."""
    models = Models(pipeline.settings.stage_timeout)

    @pipeline.app.task
    async def load_models() -> None:
        models.start()

    in_flight = InFlight()  # the story stage's articles in flight, which admission control counts too
    gate = admission.Gate()  # what normalize waits at while the later stages are behind
    normalize.register(pipeline, models, gate)
    dedup.register(pipeline, models)
    extract.register(pipeline, models, stories.register(pipeline, in_flight))
    alerts.register(pipeline)
    health.register(pipeline, models)
    admission.register(pipeline, in_flight, gate)
