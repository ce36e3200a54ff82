"""The one training loop every neural model shares.

Whole arrays live as tensors on the device and batches are index gathers: at a few
thousand songs a DataLoader (and its worker processes) would cost more than the model.
Adam, ReduceLROnPlateau on the validation loss, early stopping that restores the best
epoch. Adam is torch's fused kernel: the same update, one call per parameter instead of a
dozen small ops, which is most of a step's time for models this small (Beta-VAE 2.7 ->
2.0 ms a step on one core). With the same seed on CPU, two runs give bit-identical weights:
the seed fixes the initial weights, the shuffling generator and the reparameterisation
noise. A model's ``prepare`` runs once, before the first epoch, on every song (once per
stage when the seeds share it: training/runs.py). Inputs may be row stores
(training/rows.py) as well as tensors: a batch is ``inputs[rows]`` either way.
"""

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from songspace.errors import SongspaceError
from songspace.models.base import SongModel
from songspace.training.rows import as_rows

import numpy as np
import torch

EVAL_CHUNK = 2048


@dataclass(frozen=True)
class TrainConfig:
    max_epochs: int
    batch_size: int
    lr: float
    weight_decay: float
    lr_factor: float
    lr_patience: int
    early_stopping_patience: int
    device: str = "cpu"

    @classmethod
    def from_params(cls, train: dict) -> "TrainConfig":
        """From params.yaml's ``train`` section."""
        return cls(train["max_epochs"], train["batch_size"], train["lr"], train["weight_decay"],
                   train["lr_factor"], train["lr_patience"], train["early_stopping_patience"],
                   train["device"])


@dataclass
class TrainResult:
    model: SongModel  # weights of the best epoch, in eval mode
    history: list[dict[str, float]]  # one row per epoch: epoch, train_loss, val_<part>, lr
    best_epoch: int
    best: dict[str, float]  # validation parts at the best epoch
    stop_reason: str  # early_stopping | max_epochs | non_finite_loss
    # wall seconds of each epoch (training and validation), for benchmarks/scale.py; never
    # written to the metrics, which must not depend on timing
    epoch_seconds: list[float] = field(default_factory=list)

    @property
    def epochs_run(self) -> int:
        return len(self.history)


def resolve_device(name: str) -> torch.device:
    """train.device: auto picks CUDA when present, else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise SongspaceError("train.device = cuda but no CUDA device is visible; use auto or cpu")
    return torch.device(name)


def split_indices(n: int, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, validation rows), sorted; the same for every model and training seed."""
    if n < 2:
        raise SongspaceError(f"only {n} song(s) to train on; need at least 2 for a validation "
                             "split")
    n_val = min(max(1, round(n * val_fraction)), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


@torch.no_grad()
def evaluate(model: SongModel, tensors: Sequence[torch.Tensor], rows: torch.Tensor
             ) -> dict[str, float]:
    """Each loss part averaged over ``rows`` (eval mode: z is the posterior mean)."""
    model.eval()
    sums: dict[str, torch.Tensor] = {}
    for start in range(0, len(rows), EVAL_CHUNK):
        idx = rows[start:start + EVAL_CHUNK]
        for key, value in model.loss(tuple(t[idx] for t in tensors)).items():
            sums[key] = sums.get(key, 0) + value * len(idx)
    return {key: float(total) / len(rows) for key, total in sums.items()}


def prepare(build: Callable[[], SongModel], arrays: Sequence, device: torch.device) -> tuple:
    """What the model's loss reads (its ``prepare``), from every song's inputs: computed once
    and shared by every training seed."""
    return build().prepare(tuple(as_rows(a, device) for a in arrays))


def train_model(build: Callable[[], SongModel], arrays: Sequence,
                split: tuple[np.ndarray, np.ndarray], config: TrainConfig, seed: int,
                log: Callable[[str], None] | None = None, prepared: bool = False
                ) -> TrainResult:
    """Seed, build and train one model; return it at its best validation epoch. ``arrays``
    are the model's inputs, or with ``prepared`` what ``prepare`` made of them."""
    device = resolve_device(config.device)
    tensors = tuple(arrays) if prepared else prepare(build, arrays, device)
    torch.manual_seed(seed)
    model = build().to(device)
    train_rows, val_rows = (torch.as_tensor(s, device=device) for s in split)
    shuffle = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr,
                                 weight_decay=config.weight_decay, fused=True)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, factor=config.lr_factor, patience=config.lr_patience)
    history: list[dict[str, float]] = []
    best_epoch, best, best_state = 0, {}, None
    stop_reason = "max_epochs"
    epoch_seconds: list[float] = []
    for epoch in range(1, config.max_epochs + 1):
        started = time.perf_counter()
        lr = optimizer.param_groups[0]["lr"]
        train_loss = _train_epoch(model, tensors, train_rows, optimizer, config.batch_size,
                                  shuffle)
        val = evaluate(model, tensors, val_rows)
        epoch_seconds.append(time.perf_counter() - started)
        history.append({"epoch": epoch, "train_loss": train_loss,
                        **{f"val_{k}": v for k, v in val.items()}, "lr": lr})
        if log:
            log(f"epoch {epoch}: train {train_loss:.4f} val {val['loss']:.4f} lr {lr:.2g}")
        if not (math.isfinite(train_loss) and math.isfinite(val["loss"])):
            stop_reason = "non_finite_loss"
            break
        if best_state is None or val["loss"] < best["loss"]:
            best_epoch, best = epoch, val
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        elif epoch - best_epoch >= config.early_stopping_patience:
            stop_reason = "early_stopping"
            break
        scheduler.step(val["loss"])
    if best_state is None:
        raise SongspaceError("the loss was not finite from the first epoch; lower train.lr")
    model.load_state_dict(best_state)
    model.eval()
    return TrainResult(model, history, best_epoch, best, stop_reason, epoch_seconds)


def _train_epoch(model: SongModel, tensors: Sequence[torch.Tensor], rows: torch.Tensor,
                 optimizer: torch.optim.Optimizer, batch_size: int,
                 shuffle: torch.Generator) -> float:
    """One pass over ``rows`` in shuffled mini-batches; the mean training loss."""
    model.train()
    order = rows[torch.randperm(len(rows), generator=shuffle).to(rows.device)]
    total = torch.zeros((), device=rows.device)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        loss = model.loss(tuple(t[idx] for t in tensors))["loss"]
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.detach() * len(idx)
    return float(total) / len(rows)
