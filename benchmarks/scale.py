"""The pipeline on growing synthetic sources: seconds and peak memory per stage (issues 6, 21).

    python benchmarks/scale.py [--sizes 1000 5500 20000 50000] [--out reports/benchmarks.md]
                               [--quick | --train-seeds 0 --max-epochs 5] [--until STAGE]
    python benchmarks/scale.py --features-only --sizes 1000000 [--scratch /big/disk] [--resume]

For each N, a scratch copy of the project (never the workspace) gets synthetic.n_songs = N
and data.task = all, then every stage of dvc.yaml runs alone, in pipeline order
(`dvc repro --single-item <stage>`), so each stage's wall time and peak memory are its own.
A no-op `dvc repro` closes each size. The growth ratio of a stage is
time(N2) / time(N1) / (N2 / N1) from 5,500 (or the smallest size) to the largest: 1 is
linear, and the target is <= 1.3; extraction's peak memory must stay flat (<= 1.2 x).

--features-only (issue 21) skips the HDF5 files: `python -m songspace.features.synthetic`
writes what synthesize, subset and extract_features would (the same bytes, by their code),
then every later stage runs as above. Each size's figures are kept in
reports/scale_features_only.json, so a size measured alone (1,000,000: hours) joins the
sizes measured before; growth is read from 50,000 (--baseline) to each larger size, for
training per epoch per seed, and every stage's peak memory must stay within 16 GiB. Training
defaults to two epochs of the three seeds there, the second one timed (--max-epochs and
--train-seeds change it); the full run's time on this machine is estimated from it.
The figures so far are saved after every stage and the scratch copy is kept until the size is
done, so an interrupted run (1,000,000 songs take hours) goes on where it stopped with the same
command and --resume (a stage whose outputs went missing from the kept copy is measured
again); --report-only writes the tables from what is kept, an unfinished size marked so.
--only STAGE... measures some stages of a size again in a fresh copy, keeping its other
figures (a stage that failed, or ran beside another job).

The stage list is read from dvc.yaml each run, so stages added later are covered with no
change here. Disk: the synthetic source takes about 250 KB per song (12 GB at 50,000); the
features-only run about 13 KB per song (13 GB at 1,000,000); put the scratch copy on a large
disk with --scratch. --quick (one seed, 3 epochs) or --train-seeds/--max-epochs shrink
training alike at every size; the report says so.
"""

import argparse
import json
import math
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from songspace.parallel import available_cores
from songspace.scratch import merge_params

import yaml
from common import (
    ROOT,
    VENV_BIN,
    dotted_overrides,
    machine,
    make_project,
    pipeline_stages,
    timed,
    timed_dvc,
    update_report,
    verdict,
)

MAX_GROWTH = 1.3      # time growth allowed beyond linear, per stage
MAX_MEMORY_GROWTH = 1.2
MAX_STAGE_MB = 16 * 1024  # issue 21: every stage after extraction within 16 GiB
FLAT_MEMORY_STAGE = "extract_features"
NOOP = "no-op dvc repro"
WRITTEN = ("synthesize", "subset", "extract_features")  # what --features-only writes itself
WRITER = "features written directly"
FIGURES = ("seconds", "peak_mb", "largest_process_mb", "epoch_seconds")  # per step, by name
RESULTS = ROOT / "reports" / "scale_features_only.json"
# "ae seed 0: best val loss 123.4 at epoch 2 of 2 (max_epochs), 12.3 s, the last epoch 4.10 s"
# (training/runs.py)
SEED_LINE = re.compile(r"^\w+ seed \d+: best val loss .*, the last epoch ([\d.]+) s$")


def epoch_seconds(lines: list[tuple[float, str]]) -> list[float]:
    """Seconds of each seed's last epoch, as its train stage reported it: the first epoch
    also pays for the process's first optimizer step (torch imports its compiler then,
    seconds), so run two epochs and read the second."""
    found = [SEED_LINE.match(line) for _, line in lines]
    return [float(m.group(1)) for m in found if m]


def run_size(n_songs: int, overrides: dict, until: str | None, scratch: str | None,
             features_only: bool = False, keep: bool = False, resume: dict | None = None,
             save: Callable[[dict], None] | None = None, only: set[str] | None = None
             ) -> dict:
    """Seconds and peak MB of each stage at one size, plus the no-op repro. A stage that
    fails is recorded as NaN and the run goes on (what depends on it fails too): an hours-long
    run still measures every stage it can.

    ``save`` gets the figures so far after every stage, with the scratch copy's path, and
    that copy is kept until the size is done: an interrupted run goes on from ``resume`` (those
    figures) in the same copy, skipping the stages it measured and rerunning any that
    failed. ``only`` (features-only): the features are written, then those stages alone run."""
    params = merge_params({"synthetic": {"n_songs": n_songs}, "data": {"task": "all"}},
                          overrides)
    measured = resume or {}
    seconds, peak_mb, largest_mb, epochs = (
        dict(measured.get(key, {}))
        for key in FIGURES)
    tmp = measured["scratch"] if resume else tempfile.mkdtemp(prefix="songspace-scale-",
                                                              dir=scratch)
    finished = False
    try:
        project = (Path(tmp) / "project" if resume
                   else make_project(Path(tmp) / "project", params))
        for lock in ("rwlock", "lock"):  # left by a DVC that was killed with the run
            (project / ".dvc" / "tmp" / lock).unlink(missing_ok=True)
        for stage in sorted(lost_outputs(project) & set(seconds)) if resume else []:
            print(f"  N={n_songs:>7}  {stage:26s} its outputs are gone: measured again",
                  flush=True)
            for figures in (seconds, peak_mb, largest_mb, epochs):
                figures.pop(stage, None)
        stages = pipeline_stages(project)
        if until:
            stages = stages[:stages.index(until) + 1]
        steps = [(stage, ["dvc", "repro", "--single-item", stage]) for stage in stages]
        if features_only:
            steps = [(WRITER, [str(VENV_BIN / "python"), "-m", "songspace.features.synthetic"])
                     ] + [step for step in steps if step[0] not in WRITTEN]
        if only:
            steps = [step for step in steps if step[0] in only or step[0] == WRITER]
        for stage, command in steps:
            if not math.isnan(seconds.get(stage, math.nan)):
                print(f"  N={n_songs:>7}  {stage:26s} measured before", flush=True)
                continue
            result = (timed_dvc(project, *command[1:]) if command[0] == "dvc"
                      else timed(project, command))
            if result.returncode != 0:
                print(f"  N={n_songs}: {stage} FAILED ({result.returncode})\n"
                      f"{result.output[-2000:]}", file=sys.stderr, flush=True)
                seconds[stage] = peak_mb[stage] = largest_mb[stage] = math.nan
            else:
                seconds[stage], peak_mb[stage] = result.seconds, result.peak_mb
                largest_mb[stage] = result.largest_process_mb
                if per_seed := epoch_seconds(result.lines):
                    epochs[stage] = per_seed
            if save:
                save({"seconds": seconds, "peak_mb": peak_mb, "largest_process_mb": largest_mb,
                      "epoch_seconds": epochs, "stages": [s for s, _ in steps],
                      "scratch": tmp, "partial": True})
            if math.isnan(seconds[stage]):
                continue
            per_seed = epochs.get(stage)
            print(f"  N={n_songs:>7}  {stage:26s} {result.seconds:8.1f} s  "
                  f"{result.peak_mb:7.0f} MB  (largest process {result.largest_process_mb:.0f})"
                  + (f"  s/epoch/seed {per_seed}" if per_seed else ""), flush=True)
        if not features_only and not only:  # a no-op repro would want the source's files
            noop = timed_dvc(project, "repro", *([until] if until else []))
            seconds[NOOP] = noop.seconds
            print(f"  N={n_songs:>7}  {NOOP:26s} {noop.seconds:8.1f} s", flush=True)
        # a failed stage keeps the copy too: --resume measures it again
        finished = not any(math.isnan(seconds.get(stage, math.nan)) for stage, _ in steps)
    finally:
        if keep or (save and not finished):
            print(f"  the scratch copy is kept: {tmp}"
                  + ("" if finished else " (run the same command with --resume to go on)"),
                  flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return {"seconds": seconds, "peak_mb": peak_mb, "largest_process_mb": largest_mb,
            "epoch_seconds": epochs, "stages": [s for s, _ in steps],
            **({} if finished or not save else {"scratch": tmp, "partial": True})}


def lost_outputs(project: Path) -> set[str]:
    """The steps whose outputs are missing from a kept scratch copy (a disk restored without
    its large files, a cleanup by hand): --resume measures them again rather than failing
    every stage that reads them."""
    lock_file = project / "dvc.lock"
    lock = yaml.safe_load(lock_file.read_text()) if lock_file.exists() else {}
    outs = {name: [out["path"] for out in stage.get("outs", [])]
            for name, stage in (lock or {}).get("stages", {}).items()}
    declared = yaml.safe_load((project / "dvc.yaml").read_text())["stages"]
    outs[WRITER] = [next(iter(out)) if isinstance(out, dict) else out
                    for stage in WRITTEN[1:] for out in declared[stage].get("outs", [])]
    return {name for name, paths in outs.items()
            if any(not (project / path).exists() for path in paths)}


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
              "Peak memory per stage (MB, sum of PSS over the stage's processes, sampled):", "",
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


def full_run_seconds(stage: str, measured: dict, full: dict) -> float:
    """A stage's time with training as params.yaml has it (train.max_epochs epochs of every
    train.seeds entry, side by side on this machine's cores), from the measured epochs: the
    stage's time outside its epochs, plus the full epochs at the measured epoch wall time
    scaled by how many more seeds share the cores. An upper bound: early stopping may stop
    sooner."""
    per_seed = measured["epoch_seconds"].get(stage)
    if not per_seed:
        return measured["seconds"][stage]
    epochs_run = measured["train"]["max_epochs"]
    epoch_wall = max(per_seed)  # the seeds ran side by side: the stage waits for the slowest
    cores = measured["cores"]
    crowding = (max(1.0, len(full["seeds"]) / cores)
                / max(1.0, len(measured["train"]["seeds"]) / cores))
    outside = measured["seconds"][stage] - epochs_run * epoch_wall
    return outside + full["max_epochs"] * epoch_wall * crowding


def features_only_tables(results: dict[int, dict], baseline: int, full: dict
                         ) -> tuple[str, bool]:
    """The --features-only tables: per stage seconds, growth from ``baseline``, peak memory
    against 16 GiB; training per epoch per seed; the full run's time at the largest size."""
    sizes = sorted(results)
    n1 = baseline if baseline in sizes else sizes[0]
    larger = [n for n in sizes if n > n1]
    rows = list(dict.fromkeys(s for n in sizes for s in results[n]["stages"]))
    head = "| stage | " + " | ".join(f"{n:,} s" for n in sizes) + " | " + " | ".join(
        f"growth -> {n:,}" for n in larger) + " | " + " | ".join(
        f"peak MB {n:,}" for n in sizes) + f" | largest process MB {sizes[-1]:,} | |"
    lines = [head, "|---" * (head.count("|") - 1) + "|"]
    all_ok = True
    for stage in rows:
        if unmeasured := [n for n in sizes if stage not in results[n]["seconds"]]:
            # an interrupted size (--resume goes on with it): neither pass nor fail yet
            all_ok = False
            lines.append(f"| {stage} | " + " | ".join(
                "not run yet" if n in unmeasured else f"{results[n]['seconds'][stage]:.1f}"
                for n in sizes) + " |" * (len(larger) + len(sizes) + 2) + " not run yet |")
            continue
        seconds = {n: results[n]["seconds"].get(stage, math.nan) for n in sizes}
        peaks = {n: results[n]["peak_mb"].get(stage, math.nan) for n in sizes}
        per_epoch = {n: mean_or_nan(results[n]["epoch_seconds"].get(stage)) for n in sizes}
        timing = per_epoch if not math.isnan(per_epoch[n1]) else seconds
        ratios = [growth(timing, n1, n) for n in larger]
        checked = stage != WRITER
        ok = all(r <= MAX_GROWTH for r in ratios) and all(
            peaks[n] <= MAX_STAGE_MB for n in sizes)  # NaN (a failed stage) fails
        all_ok &= ok or not checked
        marks = [f"{r:.2f}" + (" (per epoch)" if timing is per_epoch else "") for r in ratios]
        largest = results[sizes[-1]]["largest_process_mb"].get(stage, math.nan)
        lines.append(f"| {stage} | " + " | ".join(f"{seconds[n]:.1f}" for n in sizes) + " | "
                     + " | ".join(marks) + " | " + " | ".join(f"{peaks[n]:.0f}" for n in sizes)
                     + f" | {largest:.0f} | {verdict(ok) if checked else '(not a stage)'} |")
    totals = " | ".join(f"{sum(results[n]['seconds'].values()):.0f}" for n in sizes)
    lines += [f"| **total** | {totals} |" + " |" * (len(larger) + len(sizes) + 2), ""]

    trained = [s for s in rows if any(results[n]["epoch_seconds"].get(s) for n in sizes)]
    head = ("| training stage | " + " | ".join(f"s/epoch/seed {n:,}" for n in sizes)
            + f" | full run at {sizes[-1]:,} (2 cores, est.) |")
    lines += [f"Training: seconds per epoch of each seed's process (mean over seeds; "
              f"{len(results[sizes[-1]]['train']['seeds'])} seeds side by side on "
              f"{results[sizes[-1]]['cores']} cores, so each ran on a share of a core), and "
              f"the stage's time with training as params.yaml has it ({full['max_epochs']} "
              f"epochs of {len(full['seeds'])} seeds) estimated from the measured epochs "
              "(an upper bound: early stopping may stop sooner):", "",
              head, "|---" * (head.count("|") - 1) + "|"]
    total = 0.0
    for stage in rows:
        if stage not in results[sizes[-1]]["seconds"]:
            continue
        seconds = full_run_seconds(stage, results[sizes[-1]], full) if stage != WRITER else 0
        total += seconds
        if stage in trained:
            cells = " | ".join(f"{mean_or_nan(results[n]['epoch_seconds'].get(stage)):.1f}"
                               for n in sizes)
            lines.append(f"| {stage} | {cells} | {seconds / 3600:.2f} h |")
    partial = results[sizes[-1]].get("partial")
    lines += ["", f"Every stage after extraction{' measured so far' if partial else ''} with "
              f"training in full at {sizes[-1]:,} songs: about {total / 3600:.1f} h on this "
              "machine (the stages above as measured, training from its epochs)."]
    return "\n".join(lines), all_ok


def mean_or_nan(values: list[float] | None) -> float:
    return sum(values) / len(values) if values else math.nan


def load_results(path: Path) -> dict[int, dict]:
    if not path.exists():
        return {}
    return {int(n): result for n, result in json.loads(path.read_text()).items()}


def scratch_dir(path: str | None) -> str | None:
    """--scratch, created if missing (with its parents); a path that cannot be a directory
    ends the run in one line rather than in tempfile's traceback."""
    if path is not None:
        try:
            Path(path).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            sys.exit(f"scale.py: --scratch {path}: cannot be used as a directory "
                     f"({error.strerror or error})")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmarks.md")
    parser.add_argument("--quick", action="store_true",
                        help="train one seed for 3 epochs (same at every size)")
    parser.add_argument("--train-seeds", type=int, nargs="+", default=None)
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--until", default=None, help="stop after this stage")
    parser.add_argument("--scratch", default=None, help="directory for the scratch copies")
    parser.add_argument("--features-only", action="store_true",
                        help="write extraction's outputs directly, then run every later stage")
    parser.add_argument("--baseline", type=int, default=50000,
                        help="--features-only: the size growth is read from")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="--features-only: the per-size figures, kept between runs")
    parser.add_argument("--keep", action="store_true",
                        help="keep each scratch copy (its path is printed) to look into it")
    parser.add_argument("--set", nargs="+", default=[], metavar="KEY=VALUE",
                        help="other params at every size, e.g. retrieval.exact_max=20000")
    parser.add_argument("--resume", action="store_true",
                        help="--features-only: go on with an interrupted size in its scratch "
                             "copy, skipping the stages it measured")
    parser.add_argument("--only", nargs="+", metavar="STAGE",
                        help="--features-only: measure these stages again at a size measured "
                             "before, keeping its other figures; name the stages they read "
                             "from too (the features are always written first)")
    parser.add_argument("--report-only", action="store_true",
                        help="--features-only: write the tables from --results, measure nothing")
    args = parser.parse_args()
    args.scratch = scratch_dir(args.scratch)
    sizes = args.sizes or ([args.baseline] if args.features_only
                           else [1000, 5500, 20000, 50000])
    train = {"seeds": [0], "max_epochs": 3} if args.quick else {}
    if args.features_only and not args.quick:
        train = {"max_epochs": 2}  # every seed, side by side (their shared memory); two epochs,
        # the second one timed
    if args.train_seeds is not None:
        train["seeds"] = args.train_seeds
    if args.max_epochs is not None:
        train["max_epochs"] = args.max_epochs
    overrides = merge_params({"train": train} if train else {}, dotted_overrides(args.set))

    if args.features_only:
        return features_only(args, sizes, overrides)
    description = machine()
    started = time.strftime("%Y-%m-%d %H:%M")
    results = {}
    for n_songs in sorted(sizes):
        print(f"N = {n_songs:,}", flush=True)
        results[n_songs] = run_size(n_songs, overrides, args.until, args.scratch,
                                    keep=args.keep)
    text, all_ok = tables(results)
    print("\n" + text)
    print(f"\nscale targets: {verdict(all_ok)}")
    reduced = (f"training reduced at every size: train = {train}" if train
               else "training as in params.yaml") + "".join(f", {c}" for c in args.set)
    stopped = f"; stages up to `{args.until}` only" if args.until else ""
    update_report(args.out, "scale", "\n".join([
        f"## Scale: the pipeline from {min(sizes):,} to {max(sizes):,} synthetic songs",
        "",
        f"`python benchmarks/scale.py --sizes {' '.join(map(str, sorted(sizes)))}"
        f"{' --quick' if args.quick else ''}` ({started}). Machine: {description}.", "",
        f"synthetic.n_songs = N, data.task = all; {reduced}{stopped}.", "",
        text, "", f"**Scale targets: {verdict(all_ok)}**"]))
    print(f"written to {args.out}")
    return 0 if all_ok else 1


def elsewhere(here: str, before: str) -> str:
    """``here`` (machine()), only its load average when the hardware is ``before``'s."""
    hardware, load = here.split("; load average", 1)
    return f"the same machine, load average{load}" if before.startswith(hardware) else here


def measure_again(args, n_songs: int, before: dict) -> dict:
    """--only: measure the named stages again at a size measured before (the features are
    written again first, in a fresh scratch copy, with that size's training settings), and
    keep every other figure of it. For a stage that failed, or whose figure is doubtful."""
    if not before:
        sys.exit(f"scale.py: --only measures stages again, but {n_songs:,} songs were not "
                 "measured yet; run without --only")
    unknown = sorted(set(args.only) - set(before["stages"]))
    if unknown:
        sys.exit(f"scale.py: --only {' '.join(unknown)}: not a step of the {n_songs:,}-song "
                 f"run (its steps: {', '.join(before['stages'])})")
    overrides = merge_params({"train": before["train"]}, dotted_overrides(before["changed"]))
    now, here = time.strftime("%Y-%m-%d %H:%M"), machine()
    print(f"N = {n_songs:,} (features written directly), measuring again: "
          f"{', '.join(args.only)}", flush=True)
    measured = run_size(n_songs, overrides, None, args.scratch, features_only=True,
                        keep=args.keep, only=set(args.only))
    record = {**before, **{key: {**before[key], **measured[key]} for key in FIGURES}}
    record["measured_again"] = before.get("measured_again", []) + [
        f"{now} ({', '.join(measured['stages'])}) on " + elsewhere(here, before["machine"])]
    if all(not math.isnan(record["seconds"].get(step, math.nan)) for step in record["stages"]):
        record.pop("partial", None)
        if kept := record.pop("scratch", None):  # an interrupted run's copy, done with now
            shutil.rmtree(kept, ignore_errors=True)
    return record


def features_only(args, sizes: list[int], overrides: dict) -> int:
    """Measure each size, keep its figures in --results, report every size kept there."""
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    train = {**params["train"], **overrides.get("train", {})}
    results = load_results(args.results)

    def save() -> None:
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps({str(n): r for n, r in sorted(results.items())},
                                           indent=1) + "\n")

    for n_songs in [] if args.report_only else sorted(sizes):
        before = results.get(n_songs, {})
        if args.only:
            results[n_songs] = measure_again(args, n_songs, before)
            save()
            continue
        resume = before if args.resume and before.get("partial") else None
        if args.resume and before and not resume:
            print(f"N = {n_songs:,}: measured in full before (without --resume it is measured "
                  "again)", flush=True)
            continue
        if resume and not Path(resume["scratch"]).is_dir():
            sys.exit(f"scale.py: {resume['scratch']} (the scratch copy of the interrupted "
                     f"{n_songs:,}-song run) is gone: run without --resume to start again")
        if before.get("partial") and not resume:  # started afresh: the old copy goes
            shutil.rmtree(before["scratch"], ignore_errors=True)
        print(f"N = {n_songs:,} (features written directly)"
              + (f", resumed in {resume['scratch']}" if resume else ""), flush=True)
        now, here = time.strftime("%Y-%m-%d %H:%M"), machine()
        if resume:  # the kept copy's params.yaml decides what runs, whatever this command says
            about = {key: resume[key] for key in ("train", "changed", "cores")}
            about.update(started=f"{resume['started']}, resumed {now}",
                         machine=f"{resume['machine']}; resumed on "
                                 + elsewhere(here, resume["machine"]))
        else:
            about = {"started": now, "machine": here, "changed": args.set,
                     "train": {"seeds": train["seeds"], "max_epochs": train["max_epochs"]},
                     "cores": available_cores()}

        def keep_partial(measured: dict, n_songs: int = n_songs, about: dict = about) -> None:
            results[n_songs] = {**measured, **about}
            save()

        measured = run_size(n_songs, overrides, args.until, args.scratch, features_only=True,
                            keep=args.keep, resume=resume, save=keep_partial)
        results[n_songs] = {**measured, **about}
        save()
    if not results:
        sys.exit(f"scale.py: {args.results} holds no figures yet; run without --report-only")
    text, all_ok = features_only_tables(results, args.baseline, params["train"])
    print("\n" + text)
    unmeasured = {n: [step for step in r["stages"]
                      if math.isnan(r["seconds"].get(step, math.nan))]
                  for n, r in sorted(results.items())}
    outcome = verdict(all_ok) if not any(unmeasured.values()) else "INCOMPLETE: " + "; ".join(
        f"the {n:,}-song run has no figure for {', '.join(steps)}"
        + (" (the same command with --resume goes on)" if results[n].get("partial") else
           " (--only measures a stage again, with the stages it reads)")
        for n, steps in unmeasured.items() if steps)
    print(f"\nscale targets (features only): {outcome}")
    kept = args.results.relative_to(ROOT) if args.results.is_relative_to(ROOT) else args.results
    measured_when = "\n".join(f"- {n:,} songs: measured {r['started']}; {r['machine']}."
                              + "".join(f" Measured again {again}." for again in
                                        r.get("measured_again", []))
                              for n, r in sorted(results.items()))
    reduced = "; ".join(f"{n:,}: train.seeds {r['train']['seeds']}, train.max_epochs "
                        f"{r['train']['max_epochs']}" + "".join(f", {c}" for c in r["changed"])
                        for n, r in sorted(results.items()))
    update_report(args.out, "scale_features_only", "\n".join([
        f"## Scale to {max(results):,} songs: every stage after extraction",
        "",
        f"`python benchmarks/scale.py --features-only --sizes ...`, each size in a scratch "
        f"copy: `python -m songspace.features.synthetic` writes what synthesize, subset and "
        "extract_features would write for N synthetic songs (the same bytes, by their code, "
        "without the 250 KB of HDF5 files per song), then every later stage runs alone "
        "(`dvc repro --single-item`). synthetic.n_songs = N, data.task = all; params.yaml "
        f"otherwise, but ({reduced}). Figures kept in `{kept}`.",
        "", measured_when, "",
        f"Growth is time(N) / time({args.baseline:,}) / (N / {args.baseline:,}), per epoch "
        f"for training (target <= {MAX_GROWTH}); peak memory is the largest sum of PSS over "
        "the stage's processes (shared pages counted once, as the machine holds them; target "
        f"<= {MAX_STAGE_MB // 1024} GiB), beside the largest RSS of any one of them.", "",
        text, "", f"**Scale targets (features only): {outcome}**"]))
    print(f"written to {args.out}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
