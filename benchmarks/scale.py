"""The pipeline on growing synthetic sources: seconds and peak memory per stage (issue 6).

    python benchmarks/scale.py [--sizes 1000 5500 20000 50000] [--out reports/benchmarks.md]
                               [--quick | --train-seeds 0 --max-epochs 5] [--until STAGE]

For each N, a scratch copy of the project (never the workspace) gets synthetic.n_songs = N
and data.task = all, then every stage of dvc.yaml runs alone, in pipeline order
(`dvc repro --single-item <stage>`), so each stage's wall time and peak memory are its own.
A no-op `dvc repro` closes each size. The growth ratio of a stage is
time(N2) / time(N1) / (N2 / N1) from 5,500 (or the smallest size) to the largest: 1 is
linear, and the target is <= 1.3; extraction's peak memory must stay flat (<= 1.2 x).

The stage list is read from dvc.yaml each run, so stages added later are covered with no
change here. Disk: the synthetic source takes about 250 KB per song (12 GB at 50,000); put
the scratch copy on a large disk with --scratch. --quick (one seed, 3 epochs) or
--train-seeds/--max-epochs shrink training alike at every size; the report says so.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, machine, make_project, pipeline_stages, timed_dvc, update_report, verdict

MAX_GROWTH = 1.3      # time growth allowed beyond linear, per stage
MAX_MEMORY_GROWTH = 1.2
FLAT_MEMORY_STAGE = "extract_features"
NOOP = "no-op dvc repro"


def run_size(n_songs: int, overrides: dict, until: str | None, scratch: str | None) -> dict:
    """Seconds and peak MB of each stage at one size, plus the no-op repro."""
    params = {"synthetic": {"n_songs": n_songs}, "data": {"task": "all"}, **overrides}
    seconds, peak_mb = {}, {}
    with tempfile.TemporaryDirectory(prefix="songspace-scale-", dir=scratch) as tmp:
        project = make_project(Path(tmp) / "project", params)
        stages = pipeline_stages(project)
        if until:
            stages = stages[:stages.index(until) + 1]
        for stage in stages:
            result = timed_dvc(project, "repro", "--single-item", stage)
            if result.returncode != 0:
                print(f"  N={n_songs}: {stage} FAILED ({result.returncode}); later stages "
                      f"skipped\n{result.output[-2000:]}", file=sys.stderr)
                seconds[stage] = peak_mb[stage] = float("nan")
                break
            seconds[stage], peak_mb[stage] = result.seconds, result.peak_mb
            print(f"  N={n_songs:>6}  {stage:24s} {result.seconds:8.1f} s  "
                  f"{result.peak_mb:7.0f} MB", flush=True)
        else:
            noop = timed_dvc(project, "repro", *([until] if until else []))
            seconds[NOOP] = noop.seconds
            print(f"  N={n_songs:>6}  {NOOP:24s} {noop.seconds:8.1f} s", flush=True)
    return {"seconds": seconds, "peak_mb": peak_mb, "stages": stages}


def growth(values: dict[int, float], n1: int, n2: int) -> float:
    return values[n2] / values[n1] / (n2 / n1)


def tables(results: dict[int, dict]) -> tuple[str, bool]:
    """Markdown tables of seconds and peak MB per stage and size, and whether all passed."""
    sizes = sorted(results)
    n1 = 5500 if 5500 in sizes and 5500 != sizes[-1] else sizes[0]
    n2 = sizes[-1]
    rows = list(dict.fromkeys(k for r in results.values() for k in r["seconds"]))
    head = "| stage | " + " | ".join(f"{n:,}" for n in sizes)
    lines = ["Seconds per stage (wall, `dvc repro --single-item`, DVC's own overhead included):",
             "", head + f" | growth {n1:,} -> {n2:,} | target <= {MAX_GROWTH} |",
             "|---" * (len(sizes) + 3) + "|"]
    all_ok = True
    for stage in rows:
        times = {n: results[n]["seconds"].get(stage, float("nan")) for n in sizes}
        cells = " | ".join(f"{times[n]:.1f}" for n in sizes)
        if n1 == n2 or stage == NOOP:
            ratio, status = "", "(a few s)" if stage == NOOP else ""
        else:
            value = growth(times, n1, n2)
            ok = value <= MAX_GROWTH  # NaN (a failed stage) fails
            all_ok &= ok
            ratio, status = f"{value:.2f}", verdict(ok)
        lines.append(f"| {stage} | {cells} | {ratio} | {status} |")
    totals = " | ".join(f"{sum(results[n]['seconds'].get(s, 0.0) for s in rows if s != NOOP):.1f}"
                        for n in sizes)
    lines += [f"| **total** | {totals} | | |", "",
              "Peak memory per stage (MB, sum of RSS over the stage's processes, sampled):", "",
              head + f" | {n2:,} / {n1:,} | flat |",
              "|---" * (len(sizes) + 3) + "|"]
    for stage in rows:
        if stage == NOOP:
            continue
        peaks = {n: results[n]["peak_mb"].get(stage, float("nan")) for n in sizes}
        cells = " | ".join(f"{peaks[n]:.0f}" for n in sizes)
        ratio = peaks[n2] / peaks[n1]  # from 5,500 as issue 6 asks: below it the
        # 4,096-row write buffers are not yet full, so smaller sets look cheaper
        status = ""
        if stage == FLAT_MEMORY_STAGE and len(sizes) > 1:
            ok = ratio <= MAX_MEMORY_GROWTH
            all_ok &= ok
            status = f"{verdict(ok)} (target <= {MAX_MEMORY_GROWTH} x)"
        lines.append(f"| {stage} | {cells} | {ratio:.2f} | {status} |")
    return "\n".join(lines), all_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5500, 20000, 50000])
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmarks.md")
    parser.add_argument("--quick", action="store_true",
                        help="train one seed for 3 epochs (same at every size)")
    parser.add_argument("--train-seeds", type=int, nargs="+", default=None)
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--until", default=None, help="stop after this stage")
    parser.add_argument("--scratch", default=None, help="directory for the scratch copies")
    args = parser.parse_args()
    train = {"seeds": [0], "max_epochs": 3} if args.quick else {}
    if args.train_seeds is not None:
        train["seeds"] = args.train_seeds
    if args.max_epochs is not None:
        train["max_epochs"] = args.max_epochs
    overrides = {"train": train} if train else {}

    description = machine()
    started = time.strftime("%Y-%m-%d %H:%M")
    results = {}
    for n_songs in sorted(args.sizes):
        print(f"N = {n_songs:,}", flush=True)
        results[n_songs] = run_size(n_songs, overrides, args.until, args.scratch)
    text, all_ok = tables(results)
    print("\n" + text)
    print(f"\nscale targets: {verdict(all_ok)}")
    reduced = (f"training reduced at every size: train = {train}" if train
               else "training as in params.yaml")
    stopped = f"; stages up to `{args.until}` only" if args.until else ""
    update_report(args.out, "scale", "\n".join([
        f"## Scale: the pipeline from {min(args.sizes):,} to {max(args.sizes):,} synthetic songs",
        "",
        f"`python benchmarks/scale.py --sizes {' '.join(map(str, sorted(args.sizes)))}"
        f"{' --quick' if args.quick else ''}` ({started}). Machine: {description}.", "",
        f"synthetic.n_songs = N, data.task = all; {reduced}{stopped}.", "",
        text, "", f"**Scale targets: {verdict(all_ok)}**"]))
    print(f"written to {args.out}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
