"""What pinning the CPU kernels costs (issue 20): each stage whose numbers the pins change,
run with them and without (SONGSPACE_NATIVE_KERNELS=1), interleaved, in a scratch copy.

    python benchmarks/kernel_pins.py [--repeats 3] [--out reports/benchmarks.md]

The data stages run once first through DVC (the pins do not change their bytes); then each
measured stage's script runs directly, pinned and native in turn, so both see the same
machine. The figure is the median per stage.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from songspace.models.spec import spec
from songspace.params import load_params

from common import ROOT, environment, machine, make_project, timed_dvc, update_report

# The train stage of every method the pins touch (params.yaml's methods but the raw
# statistics, which compute nothing), then one method's evaluation stages.
STAGES = [*(("train", m) for m in load_params(ROOT / "params.yaml")["methods"]
            if spec(m).per_seed or spec(m).params),
          ("cluster_eval", "hybrid_vae"), ("retrieval_eval", "hybrid_vae"),
          ("tsne", "hybrid_vae")]
MODES = {"pinned": {}, "native": {"SONGSPACE_NATIVE_KERNELS": "1"}}


def run_stage(project: Path, stage: tuple[str, ...], mode: str) -> float:
    env = {**environment(project), **MODES[mode]}
    start = time.perf_counter()
    subprocess.run([sys.executable, f"stages/{stage[0]}.py", *stage[1:]], cwd=project, env=env,
                   check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmarks.md")
    parser.add_argument("--scratch", default=None, help="directory for the scratch copy")
    args = parser.parse_args()
    description, started = machine(), time.strftime("%Y-%m-%d %H:%M")
    seconds = {(stage, mode): [] for stage in STAGES for mode in MODES}
    with tempfile.TemporaryDirectory(prefix="songspace-pins-", dir=args.scratch) as tmp:
        project = make_project(Path(tmp) / "project", {})
        data = timed_dvc(project, "repro", "tfidf", "derive_genres")
        if data.returncode != 0:
            print(data.output[-3000:], file=sys.stderr)
            return 1
        for repeat in range(args.repeats):
            for stage in STAGES:
                modes = list(MODES) if repeat % 2 == 0 else list(reversed(MODES))
                for mode in modes:
                    seconds[stage, mode].append(run_stage(project, stage, mode))
                print(f"round {repeat + 1}: {' '.join(stage)} "
                      + " ".join(f"{m} {seconds[stage, m][-1]:.1f} s" for m in MODES),
                      flush=True)
    median = {key: statistics.median(values) for key, values in seconds.items()}
    lines = ["| stage | pinned (s) | native (s) | pins cost (s) |", "|---|---|---|---|"]
    for stage in STAGES:
        pinned, native = median[stage, "pinned"], median[stage, "native"]
        name = stage[0] + (f"@{stage[1]}" if len(stage) > 1 else "")
        lines.append(f"| {name} | {pinned:.1f} | {native:.1f} | {pinned - native:+.1f} |")
    total = {mode: sum(median[stage, mode] for stage in STAGES) for mode in MODES}
    lines.append(f"| all of the above | {total['pinned']:.1f} | {total['native']:.1f} | "
                 f"{total['pinned'] - total['native']:+.1f} |")
    table = "\n".join(lines)
    print(f"\n{table}")
    update_report(args.out, "kernel-pins", "\n".join([
        "## What pinning the CPU kernels costs", "",
        f"`python benchmarks/kernel_pins.py --repeats {args.repeats}` ({started}): each stage "
        "script run pinned (the default) and with SONGSPACE_NATIVE_KERNELS=1, interleaved, "
        f"median of {args.repeats}, default params, in a scratch copy; every seed of a model "
        "trains at once, as in `dvc repro`. Only the cluster/retrieval/t-SNE stages of one "
        "method are timed: each of the seven pays about the same. Both columns train the "
        "ConvVAE with its CPU-independent input gradient (models/layers/portable_conv.py), which "
        "no setting turns off: it costs about 1.7 ms a step over oneDNN's (2.35 against "
        "0.63 ms for the second layer, timed alone), some 7 s a seed at the defaults. "
        f"Machine: {description}.",
        "", table]))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DVC_NO_ANALYTICS", "1")
    sys.exit(main())
