"""Where training writes, and how: every file atomically, so an interrupted stage leaves
no half-written model or latents.

- models/<name>/seed_<s>.pt: state_dict (torch.load(..., weights_only=True))
- models/<name>/<its MODEL_FILE>: a deterministic method's fit (pca.npz, svd.npz, raw.json)
- data/latents/<name>/seed_<s>.npy: float32 (N, latent_dim), every subset song in order
- metrics/train/<name>.json: per seed and mean over seeds
- plots/train/<name>.csv: per-epoch curves of the first seed (a deterministic method: its
  variance per component)
"""

from pathlib import Path
from typing import TYPE_CHECKING

from songspace.io import atomic_path, write_json, write_text

import numpy as np

if TYPE_CHECKING:
    import torch

MODELS_DIR = Path("models")
LATENTS_DIR = Path("data/latents")
METRICS_DIR = Path("metrics/train")
PLOTS_DIR = Path("plots/train")
# The same columns for every model, so `dvc plots show` can put the models side by side.
# Losses are sums over a song's input values, so their sizes differ by model (ConvVAE about
# 1,900, the MLPs about 100); the *_per_value columns divide by the values each model
# reconstructs (Inputs.values_per_song) to put them on one scale.
PER_VALUE = ("train_loss", "val_loss", "val_recon")
CURVE_COLUMNS = ("epoch", "train_loss", "val_loss", "val_recon", "val_kl", "lr",
                 *(f"{column}_per_value" for column in PER_VALUE))


def model_path(name: str, seed: int) -> Path:
    return MODELS_DIR / name / f"seed_{seed}.pt"


def model_dir(name: str) -> Path:
    return MODELS_DIR / name


def latent_path(name: str, seed: int) -> Path:
    return LATENTS_DIR / name / f"seed_{seed}.npy"


def metrics_path(name: str) -> Path:
    return METRICS_DIR / f"{name}.json"


def curves_path(name: str) -> Path:
    return PLOTS_DIR / f"{name}.csv"


def save_state(model: "torch.nn.Module", path: Path) -> None:
    """The state_dict on CPU: plain tensors, loadable with weights_only=True anywhere.

    Saved through an open file, not a path: given a path, torch names the archive's inner
    folder after the (random) temporary file, so the same weights gave different bytes.
    torch is imported here: the baseline stages (PCA, raw, text) write through this module
    but save no torch model, and importing torch took 3 s of their 5."""
    import torch

    state = {key: value.detach().cpu() for key, value in model.state_dict().items()}
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        torch.save(state, handle)


def save_latents(latents: np.ndarray, path: Path) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.save(handle, np.ascontiguousarray(latents, dtype=np.float32), allow_pickle=False)


def write_curves(history: list[dict[str, float]], path: Path, values_per_song: float) -> None:
    """Per-epoch CSV with CURVE_COLUMNS (a part a model lacks is 0)."""
    lines = [",".join(CURVE_COLUMNS)]
    for row in history:
        row = {**row, **{f"{column}_per_value": row.get(column, 0.0) / values_per_song
                         for column in PER_VALUE}}
        lines.append(",".join(_cell(row.get(column, 0.0)) for column in CURVE_COLUMNS))
    write_text(path, "\n".join(lines) + "\n")


def combined_curves(names: list[str], title, plots_dir: Path = PLOTS_DIR) -> str:
    """The curves of ``names`` in one CSV, a ``model`` column (``title(name)``) first: one
    file that a chart draws with a colour per model (dvc.yaml's top-level plots)."""
    header, rows = None, []
    for name in names:
        lines = (plots_dir / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        header = header or lines[0]
        rows += [f"{title(name)},{line}" for line in lines[1:]]
    return f"model,{header or ''}\n" + "".join(f"{row}\n" for row in rows)


def _cell(value) -> str:
    return str(value) if isinstance(value, int) else f"{value:.6g}"


def remove_stale(directory: Path, keep: list[Path]) -> None:
    """Delete seed_* files a run with other train.seeds left behind (dvc removes outs
    itself; this keeps a run outside dvc from mixing seeds)."""
    keep_names = {p.name for p in keep}
    for path in directory.glob("seed_*"):
        if path.name not in keep_names:
            path.unlink()


def summarize(name: str, per_seed: dict[int, dict]) -> dict:
    """Metrics JSON body: each seed's numbers and the mean of every numeric one."""
    first = next(iter(per_seed.values()))
    numeric = [k for k, v in first.items() if isinstance(v, int | float)]
    mean = {k: float(np.mean([run[k] for run in per_seed.values()])) for k in numeric}
    return {"model": name, "seeds": {str(s): run for s, run in per_seed.items()},
            "mean": mean}


def write_metrics(name: str, body: dict) -> None:
    write_json(metrics_path(name), body)
