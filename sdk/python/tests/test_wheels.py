"""The Python distributions as a user installs them: wheels built from this
checkout (scripts/build-wheels.sh), installed with pip into a fresh virtual
environment (dependencies from the package index or pip's cache, pinned by
requirements.txt), then used from there — the GX plugin started by the host."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("floe-wheels")
    built = _run("bash", str(ROOT / "scripts" / "build-wheels.sh"), str(work / "wheels"), cwd=ROOT)
    assert built.returncode == 0, built.stderr
    venv = work / "venv"
    made = _run(sys.executable, "-m", "venv", str(venv), cwd=work)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = _run(
        str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--find-links", str(work / "wheels"), "-c", str(ROOT / "requirements.txt"),
        "floe-quality-sdk", "floe-quality-client", "floe-quality-gx",
        cwd=work,
    )
    assert installed.returncode == 0, installed.stderr
    return {"python": python, "venv": venv, "wheels": work / "wheels", "work": work}


def test_four_wheels_are_built(fresh: dict[str, Path]) -> None:
    assert sorted(p.name for p in fresh["wheels"].iterdir()) == [
        "floe_quality_client-0.1.0-py3-none-any.whl",
        "floe_quality_dagster-0.1.0-py3-none-any.whl",
        "floe_quality_gx-0.1.0-py3-none-any.whl",
        "floe_quality_sdk-0.1.0-py3-none-any.whl",
    ]


def test_the_packages_import_from_the_fresh_venv(fresh: dict[str, Path]) -> None:
    checked = _run(str(fresh["python"]), "-m", "pip", "check", cwd=fresh["work"])
    assert checked.returncode == 0, checked.stdout
    where = _run(
        str(fresh["python"]),
        "-c",
        "import floe_quality_sdk, floe_quality_client, floe_quality_gx, floe.quality.v1.host_pb2_grpc as h;"
        "print(floe_quality_sdk.__file__); print(floe_quality_client.__file__); print(floe_quality_gx.__file__); print(h.__file__)",
        cwd=fresh["work"],
    )
    assert where.returncode == 0, where.stderr
    site = str(fresh["venv"] / "lib")
    assert [line.startswith(site) for line in where.stdout.split()] == [True] * 4


def test_the_installed_gx_plugin_refuses_to_start_by_hand(fresh: dict[str, Path]) -> None:
    by_hand = _run(str(fresh["python"]), "-m", "floe_quality_gx", cwd=fresh["work"])
    assert by_hand.returncode == 1
    assert "It is started by the floe-quality host, not by hand" in by_hand.stdout + by_hand.stderr


def test_the_host_starts_the_installed_gx_plugin_healthy(fresh: dict[str, Path]) -> None:
    checked = _run(
        "node",
        str(ROOT / "host" / "dist" / "cli" / "main.js"),
        "plugins",
        "check",
        "great_expectations",
        cwd=ROOT,
        env={"FLOE_PYTHON": str(fresh["python"])},
        timeout=180,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    assert lines[0] == "great_expectations: healthy"
    assert "SERVING" in lines[2]
