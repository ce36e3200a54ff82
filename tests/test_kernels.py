"""The same bits whatever kernel path the CPU would take (issue 20).

A machine cannot become another CPU, but it can be forced onto the paths another CPU would
take: torch, oneDNN, OpenBLAS, numpy and faiss on AVX2 where this CPU has AVX-512, MKL on
its SSE2 path instead of the one it picks here. Each forced run must give the bytes of the
unforced one, for a small training run of every neural model and a small evaluation of
every latent space (tests/kernel_fingerprint.py). The control: with the pins turned off,
the same forcing changes those bytes on this CPU, so the test can fail.
"""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from songspace import kernels, parallel
from songspace.errors import SongspaceError

import pytest

ROOT = Path(__file__).resolve().parents[1]
FINGERPRINT = ROOT / "tests" / "kernel_fingerprint.py"
NATIVE = "SONGSPACE_NATIVE_KERNELS"


def _cpu_flags() -> set[str]:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


# name -> (the CPU flag that makes this machine's own choice differ, the forced settings)
FORCED_PATHS = {
    "avx2_instead_of_avx512": ("avx512f", {
        key: kernels.PINNED[key] for key in ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA",
                                             "OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES",
                                             "FAISS_SIMD_LEVEL")}),
    "mkl_sse2_path": ("sse2", {"MKL_CBWR": "COMPATIBLE"}),
}


def unpinned_env() -> dict:
    """This process's environment without the pins it set (as a fresh shell has it)."""
    return {k: v for k, v in os.environ.items() if k not in kernels.PINNED and k != NATIVE}


@cache
def fingerprint(forced: tuple[tuple[str, str], ...], *, native: bool) -> dict:
    """What tests/kernel_fingerprint.py prints in a fresh process under ``forced``."""
    env = unpinned_env()
    env.update(forced)
    if native:
        env[NATIVE] = "1"
    result = subprocess.run([sys.executable, str(FINGERPRINT)], env=env, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="module", autouse=True)
def _runs_on_both_cores():
    """Start every run this module needs, two at a time (each takes seconds to import)."""
    if kernels.skipped_because:
        pytest.skip(f"kernels are not pinned here: {kernels.skipped_because}")
    flags = _cpu_flags()
    jobs = [((), False), ((), True)] + [
        (tuple(sorted(settings.items())), native)
        for flag, settings in FORCED_PATHS.values() if flag in flags for native in (False, True)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda job: fingerprint(job[0], native=job[1]), jobs))


def test_a_stage_process_runs_on_the_pinned_paths():
    pinned = fingerprint((), native=False)
    assert pinned["pinned"]
    assert pinned["torch"] == "AVX2"
    assert pinned["openblas"] == ["Haswell"]  # numpy's, scipy's and faiss's
    assert not pinned["numpy_avx512"]
    assert pinned["faiss"] == "AVX2"


@pytest.mark.parametrize("path", FORCED_PATHS)
def test_training_and_evaluation_bytes_do_not_depend_on_the_kernel_path(path):
    flag, settings = FORCED_PATHS[path]
    if flag not in _cpu_flags():
        pytest.skip(f"{path}: this CPU has no {flag}, so it already takes that path")
    forced = tuple(sorted(settings.items()))
    assert fingerprint(forced, native=True)["hashes"] != fingerprint((), native=True)["hashes"], \
        f"{path} changes nothing on this CPU even unpinned: the test would prove nothing"
    assert fingerprint(forced, native=False)["hashes"] == fingerprint((), native=False)["hashes"]


def run_script(tmp_path, code: str, *launcher: str) -> subprocess.CompletedProcess:
    script = tmp_path / "stage.py"
    script.write_text(code)
    return subprocess.run([*launcher, sys.executable, str(script)], env=unpinned_env(),
                          capture_output=True, text=True, check=False)


NUMPY_FIRST = ("import numpy\nfrom songspace.stage import run_stage\n"
               "run_stage(lambda: print('ran'))\n")


def test_a_stage_that_imports_numpy_before_songspace_stops_with_one_line(tmp_path):
    result = run_script(tmp_path, NUMPY_FIRST)
    assert result.returncode == 2
    assert "ran" not in result.stdout
    assert result.stderr.count("\n") == 1
    assert "imported numpy before songspace" in result.stderr


def test_a_process_started_pinned_may_import_numpy_first(tmp_path):
    """What Dask workers and other child processes rely on: the pins come with the
    environment, so import order no longer matters."""
    result = run_script(tmp_path, NUMPY_FIRST, sys.executable, "-m", "songspace.kernels")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ran\n"


def test_a_dask_task_refuses_a_worker_whose_numpy_is_not_pinned(monkeypatch):
    assert parallel._pinned_call(sum, [1, 2]) == 3
    monkeypatch.setattr(kernels, "loaded_too_early", ["numpy"])
    with pytest.raises(SongspaceError, match="python -m songspace.kernels dask worker"):
        parallel._pinned_call(sum, [1, 2])
