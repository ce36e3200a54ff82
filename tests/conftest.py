"""Shared fixtures: the real MSD files beside the project, and a tiny copy of the project
on which `dvc repro` runs for real."""

import os
import subprocess
import sys
from pathlib import Path

from songspace.scratch import copy_pipeline

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED_MSD = ROOT.parent / "shared" / "msd"
VENV_BIN = Path(sys.executable).parent
# The methods of params.yaml, in report order.
METHODS = list(yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["methods"])

# A tiny configuration: the whole pipeline in about a minute on 2 cores.
TINY_PARAMS = {
    "synthetic": {"n_songs": 240},
    "data": {"task_sizes": {"easy": 100, "medium": 150, "hard": 200}},
    "features": {"workers": 2, "batch_size": 16},
    "train": {"max_epochs": 3, "seeds": [0, 1], "threads": 1},
    "cluster": {"n_init": 2, "random_repeats": 5, "cv_folds": 3},
    "tsne": {"threads": 1},
}


@pytest.fixture(scope="session")
def shared_msd() -> Path:
    if not (SHARED_MSD / "tracks").is_dir():
        pytest.skip(f"real MSD files not found at {SHARED_MSD}")
    return SHARED_MSD


def make_project(dest: Path, overrides: dict) -> Path:
    """A copy of the project's pipeline in ``dest`` (a git + DVC repo) with params changed."""
    return copy_pipeline(ROOT, dest, overrides)


def env() -> dict:
    environment = dict(os.environ)
    environment["PATH"] = f"{VENV_BIN}{os.pathsep}{environment.get('PATH', '')}"
    environment["DVC_NO_ANALYTICS"] = "1"
    return environment


def run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=env(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def dvc(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run([str(VENV_BIN / "dvc"), *args], cwd, check)


@pytest.fixture(scope="session")
def tiny_project(tmp_path_factory) -> Path:
    """A tiny copy of the project after a full `dvc repro` (shared: treat as read-only)."""
    project = make_project(tmp_path_factory.mktemp("tiny") / "project", TINY_PARAMS)
    dvc(["repro"], project)
    return project
