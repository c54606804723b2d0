#!/usr/bin/env bash
# Installs the non-Python tools tests/deploy needs when they are missing: Prometheus and promtool
# (Debian package `prometheus`). Recommended packages are skipped: they would add node-exporter.
# Idempotent; tests/deploy/conftest.py calls it, `make test` may call it up front.
set -euo pipefail

if command -v promtool >/dev/null && command -v prometheus >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "promtool/prometheus missing: run 'apt-get install --no-install-recommends prometheus' as root" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
