"""What the ConvVAE's correctly rounded square roots cost (issue 28): its training step with
songspace.models.layers.exact.sqrt against torch.sqrt, interleaved, on one thread.

    python benchmarks/exact_sqrt.py [--steps 200] [--repeats 5] [--out reports/benchmarks.md]

A step is what the training loop does per batch: the loss of a batch of ``train.batch_size``
songs of the default shape (24 x ``features.seq_len``, lengths spread like real songs'), its
backward pass and a fused Adam update. The figure is the median over repeats of each mode's
milliseconds a step, and the seconds an epoch of the default data would take at that rate.
"""

import argparse
import statistics
import time
from pathlib import Path
from types import SimpleNamespace

from songspace.models import conv_vae
from songspace.models.layers import exact
from songspace.params import load_params

import numpy as np
import torch
from common import ROOT, machine, update_report

MODES = {"exact.sqrt": exact, "torch.sqrt": SimpleNamespace(sqrt=torch.sqrt)}


def step_ms(params: dict, steps: int) -> float:
    """Milliseconds per training step of a fresh default ConvVAE, with conv_vae.exact as set."""
    torch.manual_seed(0)
    batch, seq_len = params["train"]["batch_size"], params["features"]["seq_len"]
    model = conv_vae.ConvVAE.from_params(params, ((24, seq_len),))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.standard_normal((batch, 24, seq_len)).astype(np.float32))
    lengths = torch.from_numpy(rng.integers(seq_len // 3, seq_len + 1, batch))
    prepared = model.prepare((x, lengths))
    start = time.perf_counter()
    for _ in range(steps):
        optimizer.zero_grad()
        sum(model.loss(prepared).values()).backward()
        optimizer.step()
    return (time.perf_counter() - start) / steps * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmarks.md")
    args = parser.parse_args()
    torch.set_num_threads(1)
    params = load_params(ROOT / "params.yaml")
    songs = params["data"]["task_sizes"][params["data"]["task"]]
    steps_per_epoch = int(songs * (1 - params["train"]["val_fraction"])) // \
        params["train"]["batch_size"] + 1
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    step_ms(params, 20)  # warm-up: the first optimizer step imports torch's compiler
    for _ in range(args.repeats):
        for mode, module in MODES.items():
            conv_vae.exact = module
            times[mode].append(step_ms(params, args.steps))
    conv_vae.exact = exact
    rows = ["| square root | ms a step | s for an epoch's steps (default data) |",
            "|---|---:|---:|"]
    median = {mode: statistics.median(ms) for mode, ms in times.items()}
    for mode, ms in median.items():
        rows.append(f"| `{mode}` | {ms:.2f} | {ms * steps_per_epoch / 1000:.2f} |")
    cost = median["exact.sqrt"] / median["torch.sqrt"] - 1
    text = "\n".join([
        "## What the ConvVAE's correctly rounded square roots cost", "",
        f"`python benchmarks/exact_sqrt.py --steps {args.steps} --repeats {args.repeats}` "
        f"({time.strftime('%Y-%m-%d %H:%M')}). Machine: {machine()}.", "",
        "A ConvVAE training step of the default shape on one thread (loss, backward, fused "
        f"Adam; batch {params['train']['batch_size']}, {steps_per_epoch} steps an epoch of "
        f"the default {songs:,} songs), median of {args.repeats} interleaved repeats:", "",
        *rows, "",
        f"`exact.sqrt` (numpy's IEEE root, issue 28) changes the time of a step by "
        f"{cost:+.1%} against `torch.sqrt`."])
    print(text)
    update_report(args.out, "exact_sqrt", text)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
