"""The two headline timings of issue 6, on the default params, in a scratch copy.

    python benchmarks/default_run.py [--out reports/benchmarks.md] [--set KEY=VALUE ...]

1. `dvc repro` from nothing: what `make repro` costs after the install (synthetic 10,000
   songs, hard task, every model and seed, full evaluation). Target <= 6 min.
2. `dvc exp run -S model.beta=2` right after: only the Beta-VAE and what depends on it
   should rerun. Target <= 60 s.
3. a no-op `dvc repro`: DVC's own overhead. Target: a few seconds (<= 5 s here).

Each stage's share of run 1 is taken from when DVC announces it, so a slow stage is named.
``--set`` changes params (e.g. a small run to try the script); the report then says the
targets were not measured on the defaults.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from common import (
    ROOT,
    dotted_overrides,
    machine,
    make_project,
    timed_dvc,
    update_report,
    verdict,
)

TARGETS_S = {"dvc repro": 360.0, "dvc exp run -S model.beta=2": 60.0,
             "no-op dvc repro": 5.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmarks.md")
    parser.add_argument("--scratch", default=None, help="directory for the scratch copy")
    parser.add_argument("--set", nargs="+", default=[], metavar="KEY=VALUE",
                        help="params changed from params.yaml (not the headline run then)")
    args = parser.parse_args()
    description = machine()
    started = time.strftime("%Y-%m-%d %H:%M")
    commands = {"dvc repro": ["repro"],
                "dvc exp run -S model.beta=2": ["exp", "run", "-S", "model.beta=2"],
                "no-op dvc repro": ["repro"]}
    results, ran = {}, {}
    with tempfile.TemporaryDirectory(prefix="songspace-default-", dir=args.scratch) as tmp:
        project = make_project(Path(tmp) / "project", dotted_overrides(args.set))
        for label, command in commands.items():
            result = timed_dvc(project, *command)
            results[label] = result
            ran[label] = list(result.stage_seconds())
            print(f"{label:32s} {result.seconds:7.1f} s  (stages run: {len(ran[label])})",
                  flush=True)
            if result.returncode != 0:
                print(result.output[-3000:], file=sys.stderr)
                break
    lines = ["| command | seconds | target | stages run | |", "|---|---|---|---|---|"]
    all_ok = len(results) == len(commands)
    for label, result in results.items():
        ok = result.returncode == 0 and result.seconds <= TARGETS_S[label]
        all_ok &= ok
        stages = ", ".join(ran[label]) if 0 < len(ran[label]) <= 6 else str(len(ran[label]))
        lines.append(f"| `{label}` | {result.seconds:.1f} | <= {TARGETS_S[label]:.0f} | "
                     f"{stages} | {verdict(ok)} |")
    if results:
        first = next(iter(results.values())).stage_seconds()
        lines += ["", "Stages of the first `dvc repro` (seconds, from DVC's announcements):", "",
                  "| stage | seconds |", "|---|---|"]
        lines += [f"| {name} | {sec:.1f} |" for name, sec in first.items()]
    text = "\n".join(lines)
    params = ("params.yaml as committed" if not args.set else
              f"params.yaml changed by {' '.join(args.set)}: NOT the headline configuration")
    summary = (f"Headline targets: {verdict(all_ok)}" if not args.set else
               "Headline targets: not measured (params changed with --set)")
    print(f"\n{text}\n\n{summary}")
    update_report(args.out, "default", "\n".join([
        "## Headline: the default pipeline, then one experiment", "",
        f"`python benchmarks/default_run.py` ({started}), a scratch copy with {params}; "
        "`dvc repro` there is `make repro` without the install. "
        f"Machine: {description}.", "", text, "", f"**{summary}**"]))
    print(f"written to {args.out}")
    return 0 if all_ok and not args.set else 1


if __name__ == "__main__":
    sys.exit(main())
