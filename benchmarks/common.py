"""What the pipeline benchmarks share: a scratch copy of the project, timed DVC commands
with their peak memory, the stage list in pipeline order, the machine, the report file.

Benchmarks never touch the user's workspace: every DVC command runs in a copy under a
temporary directory, with PYTHONPATH on the copy's src/ so that edits made to the
workspace while a long benchmark runs cannot leak into it.
"""

import importlib.metadata
import os
import platform
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from songspace.scratch import copy_pipeline

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def make_project(dest: Path, overrides: dict) -> Path:
    """A committed scratch copy of the pipeline in ``dest`` with params changed."""
    return copy_pipeline(ROOT, dest, overrides, commit=True)


def environment(project: Path) -> dict:
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(project / "src")
    env["DVC_NO_ANALYTICS"] = "1"
    env["PYTHONUNBUFFERED"] = "1"  # DVC's lines are timed as they come
    return env


@dataclass
class Timed:
    seconds: float
    peak_mb: float    # largest sum of RSS over the command's child processes (DVC excluded)
    returncode: int
    lines: list[tuple[float, str]]  # DVC's output, each line with the second it came

    @property
    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def stage_seconds(self) -> dict[str, float]:
        """Seconds from each "Running stage 'x'" line to the next one (or the end)."""
        starts = [(at, line.split("'")[1]) for at, line in self.lines
                  if line.startswith("Running stage '")]
        ends = [at for at, _ in starts[1:]] + [self.seconds]
        return {name: end - at for (at, name), end in zip(starts, ends, strict=False)}


def timed_dvc(project: Path, *args: str, interval: float = 0.05) -> Timed:
    """Run ``dvc args`` in ``project``; wall seconds and peak memory of what DVC started.

    Memory is sampled (psutil, every ``interval`` s) as the sum of RSS of DVC's descendants:
    the stage's own process and its workers. DVC's own process is left out, so the figure is
    the stage's, and summing the tree counts pool workers that getrusage's per-process
    maximum would hide. Pages shared by forked workers are counted once per worker, so the
    figure errs high, never low.
    """
    start = time.perf_counter()
    process = subprocess.Popen([str(VENV_BIN / "dvc"), *args], cwd=project,
                               env=environment(project), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        try:
            root = psutil.Process(process.pid)
            while not done.is_set():
                total = 0
                for child in root.children(recursive=True):
                    try:
                        total += child.memory_info().rss
                    except psutil.Error:
                        pass
                peak[0] = max(peak[0], total)
                time.sleep(interval)
        except psutil.Error:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines = [(time.perf_counter() - start, line.rstrip("\n")) for line in process.stdout]
    process.wait()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return Timed(seconds, peak[0] / 2**20, process.returncode, lines)


def pipeline_stages(project: Path) -> list[str]:
    """Every stage of dvc.yaml, foreach stages expanded, in an order DVC can run them one by
    one: dependencies first, ties kept in dvc.yaml order."""
    env = environment(project)
    dvc = str(VENV_BIN / "dvc")
    names = subprocess.run([dvc, "stage", "list", "--name-only"], cwd=project, env=env,
                           check=True, capture_output=True, text=True).stdout.split()
    dot = subprocess.run([dvc, "dag", "--dot"], cwd=project, env=env, check=True,
                         capture_output=True, text=True).stdout
    upstream: dict[str, set[str]] = {name: set() for name in names}
    for before, after in re.findall(r'"([^"]+)"\s*->\s*"([^"]+)"', dot):
        upstream[after].add(before)
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = next(n for n in names if n not in ordered and upstream[n] <= set(ordered))
        ordered.append(ready)
    return ordered


def dotted_overrides(pairs: list[str]) -> dict:
    """["train.seeds=[0]", "data.task=all"] -> {"train": {"seeds": [0]}, "data": {...}}."""
    overrides: dict = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        *parents, leaf = key.split(".")
        node = overrides
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = yaml.safe_load(value)
    return overrides


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    """One paragraph on where the numbers come from: they mean nothing without it."""
    model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else model
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{cores} cores ({model}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
            f"torch {version('torch')}, numpy {version('numpy')}, h5py {version('h5py')}, "
            f"dvc {version('dvc')}; load average at the start {load}")


def update_report(path: Path, section: str, text: str) -> None:
    """Replace this benchmark's section of the report (between markers), keeping the others,
    so each benchmark script can be rerun on its own."""
    begin, end = f"<!-- {section}:begin -->", f"<!-- {section}:end -->"
    block = f"{begin}\n{text.rstrip()}\n{end}\n"
    current = path.read_text() if path.exists() else (
        "# Benchmarks\n\nWritten by the scripts in `benchmarks/` (see the README's Scale "
        "section); each section says on which machine and under what load it was measured.\n\n")
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        rest = rest.split(end, 1)[1].lstrip("\n")
        current = head + block + ("\n" + rest if rest else "")
    else:
        current = current.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(current)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
