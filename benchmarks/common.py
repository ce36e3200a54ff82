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
    peak_mb: float    # largest sum of PSS over the command's child processes (DVC excluded)
    returncode: int
    lines: list[tuple[float, str]]  # the command's output, each line with the second it came
    largest_process_mb: float = 0.0  # largest RSS of any one of those processes

    @property
    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def stage_seconds(self) -> dict[str, float]:
        """Seconds from each "Running stage 'x'" line to the next one (or the end)."""
        starts = [(at, line.split("'")[1]) for at, line in self.lines
                  if line.startswith("Running stage '")]
        ends = [at for at, _ in starts[1:]] + [self.seconds]
        return {name: end - at for (at, name), end in zip(starts, ends, strict=False)}


class MemorySampler:
    """Peak memory of a process's descendants, sampled from a thread.

    The peak is the largest sum of PSS (proportional set size): a page shared by n
    processes counts 1/n in each, so the training seeds' processes, which share their
    inputs with the stage's process by fork, count them once, as the machine holds them.
    RSS would count them once per process (3 ConvVAE seeds at 1M songs: 38 GB for 10 GB
    held). The largest RSS of any one process is kept beside it. Reading PSS walks a
    process's page tables (tens of ms for 10 GB), so the interval grows to ten times the
    last reading's cost: the sampler never takes more than a tenth of a core.
    """

    def __init__(self, pid: int, interval: float = 0.05, with_root: bool = False):
        self.pid, self.interval, self.with_root = pid, interval, with_root
        self.peak_pss = self.peak_rss = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            root = psutil.Process(self.pid)
            while not self._done.is_set():
                started = time.perf_counter()
                total = 0
                for child in root.children(recursive=True) + ([root] if self.with_root else []):
                    try:
                        info = child.memory_full_info()
                    except psutil.Error:
                        continue
                    total += info.pss
                    self.peak_rss = max(self.peak_rss, info.rss)
                self.peak_pss = max(self.peak_pss, total)
                cost = time.perf_counter() - started
                self._done.wait(max(self.interval, 10 * cost))
        except psutil.Error:
            pass

    def stop(self) -> tuple[float, float]:
        """(peak PSS sum, largest single RSS), in MB."""
        self._done.set()
        self._thread.join()
        return self.peak_pss / 2**20, self.peak_rss / 2**20


def timed(project: Path, command: list[str]) -> Timed:
    """Run ``command`` in ``project``; wall seconds and peak memory of what it started (the
    command's own process too, unless it is DVC: see timed_dvc)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=project, env=environment(project),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = MemorySampler(process.pid, with_root=Path(command[0]).name != "dvc")
    lines = [(time.perf_counter() - start, line.rstrip("\n")) for line in process.stdout]
    process.wait()
    seconds = time.perf_counter() - start
    peak, largest = sampler.stop()
    return Timed(seconds, peak, process.returncode, lines, largest)


def timed_dvc(project: Path, *args: str) -> Timed:
    """Run ``dvc args`` in ``project``; wall seconds and peak memory of what DVC started
    (the stage's own process and its workers; DVC's own process is left out, so the figure
    is the stage's)."""
    return timed(project, [str(VENV_BIN / "dvc"), *args])


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
