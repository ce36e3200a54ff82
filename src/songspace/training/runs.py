"""A neural train stage's whole job: one model per train.seeds, each written with its
latents, then metrics over the seeds and the first seed's curves."""

import time
from collections.abc import Callable

import torch

from songspace.models.base import SongModel
from songspace.training import outputs
from songspace.training.inputs import Inputs
from songspace.training.loop import TrainConfig, TrainResult, split_indices, train_model


def train_neural(name: str, build: Callable[[], SongModel], inputs: Inputs, params: dict,
                 log: Callable[[str], None] = print) -> dict:
    """Train ``build()`` once per seed in params.train.seeds; return the metrics written."""
    train = params["train"]
    torch.set_num_threads(train["threads"])
    config = TrainConfig.from_params(train)
    split = split_indices(len(inputs), train["val_fraction"], params["seed"])
    per_seed: dict[int, dict] = {}
    for seed in train["seeds"]:
        started = time.perf_counter()
        result = train_model(build, inputs.arrays, split, config, seed)
        _write_seed(name, seed, result, inputs)
        if not per_seed:
            outputs.write_curves(result.history, outputs.curves_path(name),
                                 inputs.values_per_song)
        per_seed[seed] = seed_metrics(result)
        log(f"{name} seed {seed}: best val loss {result.best['loss']:.4f} at epoch "
            f"{result.best_epoch} of {result.epochs_run} ({result.stop_reason}), "
            f"{time.perf_counter() - started:.1f} s")
    for directory, path in ((outputs.MODELS_DIR, outputs.model_path),
                            (outputs.LATENTS_DIR, outputs.latent_path)):
        outputs.remove_stale(directory / name, [path(name, s) for s in train["seeds"]])
    body = outputs.summarize(name, per_seed)
    outputs.write_metrics(name, body)
    return body


def seed_metrics(result: TrainResult) -> dict:
    """Best validation loss and its parts, where and why training stopped."""
    return {**{f"val_{k}": v for k, v in result.best.items()}, "best_epoch": result.best_epoch,
            "epochs_run": result.epochs_run, "stop_reason": result.stop_reason}


def _write_seed(name: str, seed: int, result: TrainResult, inputs: Inputs) -> None:
    device = next(result.model.parameters()).device
    tensors = tuple(torch.as_tensor(a, device=device) for a in inputs.arrays)
    latents = result.model.latent(tensors).cpu().numpy()
    outputs.save_state(result.model, outputs.model_path(name, seed))
    outputs.save_latents(latents, outputs.latent_path(name, seed))
