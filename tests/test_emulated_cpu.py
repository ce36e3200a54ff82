"""The same bits on an Intel and an AMD CPU (issue 28), checked on whatever CPU runs this.

tests/test_kernels.py forces other kernel paths on this one chip, but on one chip an
approximate instruction (RCPPS, RSQRTPS: their results differ between Intel and AMD) always
gives that chip's answer. Here the training of every neural model and the evaluation of one
learned method (tests/emulated_run.py) run natively and under QEMU emulating an Intel
Haswell and an AMD EPYC-Rome (AVX2, no AVX-512), and every file they write must be
byte-identical. QEMU computes exact IEEE operations with the host's bits and the
approximate ones its own way, so a number that depends on one shows up as a difference.
"""

import hashlib
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT, dvc, env, make_project

QEMU = ROOT.parent / "shared" / "tools" / "qemu-x86_64"
CPUS = ("Haswell-v4", "EPYC-Rome")  # Intel and AMD, both AVX2 without AVX-512
DRIVER = ROOT / "tests" / "emulated_run.py"
# Small enough that an emulated run of every step takes about a minute.
PARAMS = {
    "synthetic": {"n_songs": 240},
    "data": {"task_sizes": {"easy": 100, "medium": 150, "hard": 200}},
    "features": {"workers": 2, "batch_size": 16},
    "train": {"max_epochs": 2, "seeds": [0], "threads": 1, "workers": 1},
    "cluster": {"n_init": 2, "random_repeats": 5, "cv_folds": 3},
    "tsne": {"threads": 1},
}
INPUT_STAGES = ["tfidf", "derive_genres"]  # and the stages they read from
WRITTEN = ("models", "data/latents", "data/clusters", "data/retrieval", "metrics", "plots")

if not QEMU.is_file():
    pytest.skip(f"{QEMU} is absent (it comes with the development machines, not with a "
                "clone): no emulated CPU to compare with", allow_module_level=True)


def written_files(project: Path) -> dict[str, str]:
    """sha256 of every file under WRITTEN, by path relative to the project."""
    return {str(path.relative_to(project)): hashlib.sha256(path.read_bytes()).hexdigest()
            for top in WRITTEN for path in sorted((project / top).rglob("*")) if path.is_file()}


def run_steps(inputs: Path, dest: Path, cpu: str | None) -> dict[str, str]:
    """Copy the inputs project to ``dest``, run the driver there (under QEMU emulating
    ``cpu``, or natively for None) and return what it wrote."""
    shutil.copytree(inputs, dest, symlinks=True, ignore=shutil.ignore_patterns("synthetic"))
    launcher = [] if cpu is None else [str(QEMU), "-cpu", cpu]
    result = subprocess.run([*launcher, sys.executable, str(DRIVER)], cwd=dest, env=env(),
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{cpu or 'native'}:\n{result.stderr[-3000:]}"
    return written_files(dest)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("emulated") / "inputs", PARAMS)
    dvc(["repro", *INPUT_STAGES], project)
    return project


def test_every_model_and_an_evaluation_give_the_same_bytes_on_emulated_cpus(inputs):
    runs = [None, *CPUS]
    with ThreadPoolExecutor(len(runs)) as pool:
        written = dict(zip(runs, pool.map(
            lambda cpu: run_steps(inputs, inputs.parent / (cpu or "native"), cpu), runs),
            strict=True))
    native = written[None]
    for method in ("ae", "beta_vae", "conv_vae", "hybrid_vae"):
        assert any(path.startswith(f"data/latents/{method}/") for path in native)
    assert any(path.startswith("metrics/retrieval/") for path in native)
    for cpu in CPUS:
        differ = sorted(path for path in native.keys() | written[cpu].keys()
                        if native.get(path) != written[cpu].get(path))
        assert not differ, f"{cpu} wrote other bytes than this CPU: {differ}"
