"""A neural train stage's whole job: one model per train.seeds, each written with its
latents, then metrics over the seeds and the first seed's curves.

Seeds train side by side in forked processes (train.workers), one torch thread each: the
models are too small for a second thread to help, but two seeds on two cores take the time
of one. By default every seed gets its own process, even beyond the cores: three ConvVAE
seeds on two cores took 45 s at once against 55 s in two rounds, where the second round
leaves a core idle. Each seed's run is the same computation on one thread either way, so
the weights are bit-identical to training the seeds one after another.
"""

import time
from collections.abc import Callable, Iterator

from songspace.models.base import SongModel
from songspace.parallel import map_batches
from songspace.training import outputs
from songspace.training.inputs import Inputs
from songspace.training.loop import (
    TrainConfig,
    TrainResult,
    prepare,
    resolve_device,
    split_indices,
    train_model,
)
from songspace.training.rows import as_rows

import torch

# What every seed's run shares, set before the worker processes fork so they inherit it
# instead of unpickling the arrays (and a stage's build lambda, which cannot be pickled).
_JOB: tuple | None = None


def train_neural(name: str, build: Callable[[], SongModel], inputs: Inputs, params: dict,
                 log: Callable[[str], None] = print) -> dict:
    """Train ``build()`` once per seed in params.train.seeds; return the metrics written."""
    train = params["train"]
    torch.set_num_threads(train["threads"])  # for the latents computed here
    config = TrainConfig.from_params(train)
    split = split_indices(len(inputs), train["val_fraction"], params["seed"])
    per_seed: dict[int, dict] = {}
    runs = train_seeds(build, inputs, split, config, train["seeds"], train["threads"],
                       train["workers"])
    for seed, result, seconds in runs:
        _write_seed(name, seed, result, inputs)
        if not per_seed:
            outputs.write_curves(result.history, outputs.curves_path(name),
                                 inputs.values_per_song)
        per_seed[seed] = seed_metrics(result)
        log(f"{name} seed {seed}: best val loss {result.best['loss']:.4f} at epoch "
            f"{result.best_epoch} of {result.epochs_run} ({result.stop_reason}), "
            f"{seconds:.1f} s, the last epoch {result.epoch_seconds[-1]:.2f} s")
    for directory, path in ((outputs.MODELS_DIR, outputs.model_path),
                            (outputs.LATENTS_DIR, outputs.latent_path)):
        outputs.remove_stale(directory / name, [path(name, s) for s in train["seeds"]])
    body = outputs.summarize(name, per_seed)
    outputs.write_metrics(name, body)
    return body


def train_seeds(build: Callable[[], SongModel], inputs: Inputs,
                split: tuple, config: TrainConfig, seeds: list[int], threads: int,
                workers: int) -> Iterator[tuple[int, TrainResult, float]]:
    """(seed, result, seconds) for each seed, in the order of ``seeds``; up to ``workers``
    seeds at a time on CPU (0: all of them), one after another on a GPU."""
    global _JOB
    device = resolve_device(config.device)
    n_workers = min(workers or len(seeds), len(seeds)) if device.type == "cpu" else 1
    # Prepared once, here: forked, every seed's process reads the same pages (the ConvVAE's
    # 9.6 GB at 1,000,000 songs once, not once per seed).
    _JOB = (build, prepare(build, inputs.arrays, device), split, config, threads)
    try:
        runs = map_batches(_train_seeds_batch, seeds, batch_size=1, workers=n_workers)
        for seed, (result, seconds) in zip(seeds, runs, strict=True):
            yield seed, result, seconds
    finally:
        _JOB = None


def _train_seeds_batch(seeds: list[int]) -> list[tuple[TrainResult, float]]:
    return [_train_seed(seed) for seed in seeds]


def _train_seed(seed: int) -> tuple[TrainResult, float]:
    build, prepared, split, config, threads = _JOB
    torch.set_num_threads(threads)
    started = time.perf_counter()
    result = train_model(build, prepared, split, config, seed, prepared=True)
    return result, time.perf_counter() - started


def seed_metrics(result: TrainResult) -> dict:
    """Best validation loss and its parts, where and why training stopped."""
    return {**{f"val_{k}": v for k, v in result.best.items()}, "best_epoch": result.best_epoch,
            "epochs_run": result.epochs_run, "stop_reason": result.stop_reason}


def _write_seed(name: str, seed: int, result: TrainResult, inputs: Inputs) -> None:
    device = next(result.model.parameters()).device
    tensors = tuple(as_rows(a, device) for a in inputs.arrays)
    latents = result.model.latent(tensors).cpu().numpy()
    outputs.save_state(result.model, outputs.model_path(name, seed))
    outputs.save_latents(latents, outputs.latent_path(name, seed))
