"""Training: loss falls on planted data, early stopping and LR schedule by script, seeds
reproduce, saved models reload, the stage outputs keep their contract, and the params each
train stage declares scope reruns to that model."""

import json
import shutil

from songspace.errors import SongspaceError
from songspace.models.ae import Autoencoder
from songspace.models.base import SongModel
from songspace.models.beta_vae import BetaVAE
from songspace.models.conv_vae import ConvVAE
from songspace.models.hybrid_vae import HybridVAE
from songspace.models.pca import PCAModel
from songspace.models.registry import build_model
from songspace.training import outputs
from songspace.training.inputs import Inputs, hybrid_inputs, sequence_inputs, stats_inputs
from songspace.training.loop import (
    TrainConfig,
    evaluate,
    resolve_device,
    split_indices,
    train_model,
)
from songspace.training.rows import as_rows
from songspace.training.runs import train_neural, train_seeds

import numpy as np
import pandas as pd
import pytest
import torch
import yaml
from torch import nn

from conftest import METHODS, dvc

FAST = TrainConfig(max_epochs=12, batch_size=32, lr=3e-3, weight_decay=0.0, lr_factor=0.5,
                   lr_patience=5, early_stopping_patience=10, device="cpu")
NEURAL = ("ae", "beta_vae", "conv_vae", "hybrid_vae")
TRAIN_STAGES = {f"train@{name}" for name in METHODS}


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


def planted(n: int = 240, seed: int = 0) -> dict[str, tuple[np.ndarray, ...]]:
    """Each model's inputs generated from 3 hidden factors per song plus a little noise."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(n, 3))
    stats = factors @ rng.normal(size=(3, 144)) + 0.1 * rng.normal(size=(n, 144))
    stats = ((stats - stats.mean(0)) / stats.std(0)).astype(np.float32)
    steps = np.sin(np.linspace(0, 3, 16))[None, None, :]
    sequences = np.einsum("nk,kc->nc", factors, rng.normal(size=(3, 24)))[:, :, None] * steps
    lengths = rng.integers(4, 17, size=n)
    sequences = (sequences * (np.arange(16)[None, :] < lengths[:, None])[:, None, :])
    text = np.maximum(factors @ rng.normal(size=(3, 40)), 0)
    text /= np.maximum(np.linalg.norm(text, axis=1, keepdims=True), 1e-9)
    return {"ae": (stats,), "beta_vae": (stats,),
            "conv_vae": (sequences.astype(np.float32), lengths.astype(np.int64)),
            "hybrid_vae": (stats, text.astype(np.float32))}


BUILDERS = {
    "ae": lambda: Autoencoder(144, 4, [32, 16]),
    "beta_vae": lambda: BetaVAE(144, 4, [32, 16], beta=4.0),
    "conv_vae": lambda: ConvVAE(24, 16, 4, [8, 16], beta=1.0),
    "hybrid_vae": lambda: HybridVAE(144, 40, 4, 16, 32, 32, alpha=1.0, beta=1.0),
}


@pytest.fixture(scope="module")
def data() -> dict[str, tuple[np.ndarray, ...]]:
    return planted()


@pytest.mark.parametrize("name", NEURAL)
def test_loss_falls_on_a_planted_set(name, data):
    split = split_indices(240, 0.2, seed=0)
    config = TrainConfig(**{**FAST.__dict__, "max_epochs": 25})
    result = train_model(BUILDERS[name], data[name], split, config, seed=0)
    first = result.history[0]["val_loss"]
    assert result.best["loss"] < 0.5 * first, (name, first, result.best)
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]


@pytest.mark.parametrize("name", ["beta_vae", "conv_vae"])
def test_same_seed_gives_identical_latents_and_another_seed_does_not(name, data):
    split = split_indices(240, 0.2, seed=0)
    config = TrainConfig(**{**FAST.__dict__, "max_epochs": 3})
    batch = tuple(torch.as_tensor(a) for a in data[name])
    runs = [train_model(BUILDERS[name], data[name], split, config, seed=s).model.latent(batch)
            for s in (0, 0, 1)]
    assert torch.equal(runs[0], runs[1])
    assert not torch.allclose(runs[0], runs[2])


def test_a_saved_model_loads_with_weights_only_and_gives_the_same_latents(data, tmp_path):
    split = split_indices(240, 0.2, seed=0)
    model = train_model(BUILDERS["hybrid_vae"], data["hybrid_vae"], split,
                        TrainConfig(**{**FAST.__dict__, "max_epochs": 2}), seed=0).model
    outputs.save_state(model, tmp_path / "seed_0.pt")
    fresh = BUILDERS["hybrid_vae"]()
    fresh.load_state_dict(torch.load(tmp_path / "seed_0.pt", weights_only=True))
    batch = tuple(torch.as_tensor(a) for a in data["hybrid_vae"])
    assert torch.equal(fresh.latent(batch), model.latent(batch))


class Scripted(SongModel):
    """Validation losses follow a script, one per epoch; its weight counts training steps,
    so the restored weight tells which epoch's state came back."""

    latent_dim = 1

    def __init__(self, script: list[float]):
        super().__init__()
        self.script, self.evaluations = script, 0
        self.steps = nn.Parameter(torch.zeros(()))

    def encode(self, x):
        return x[:, :1] * 0 + self.steps, None

    def decode(self, z):
        return z

    def loss(self, batch):
        if self.training:
            # d(loss)/d(steps) = -1: plain SGD would add lr each step; Adam adds about lr
            loss = -self.steps
        else:
            value = self.script[min(self.evaluations, len(self.script) - 1)]
            self.evaluations += 1
            loss = torch.tensor(value) + 0 * self.steps
        return {"loss": loss, "recon": loss, "kl": torch.zeros(())}


def scripted_run(script, **changes):
    config = TrainConfig(**{**FAST.__dict__, "batch_size": 8, "lr": 1.0, "max_epochs": 20,
                            "lr_patience": 100, **changes})
    x = np.zeros((8, 2), dtype=np.float32)  # one training batch per epoch (7 rows), 1 val row
    model_box = []

    def build():
        model_box.append(Scripted(script))
        return model_box[-1]

    return train_model(build, (x,), split_indices(8, 0.125, 0), config, seed=0)


def test_early_stopping_stops_after_patience_and_restores_the_best_epoch():
    result = scripted_run([5.0, 3.0, 2.0, 4.0, 2.5, 2.1, 9.0, 9.0], early_stopping_patience=3)
    assert result.stop_reason == "early_stopping"
    assert result.best_epoch == 3 and result.epochs_run == 6
    assert result.best["loss"] == 2.0
    assert result.model.steps.item() == pytest.approx(3.0, abs=0.05)  # 3 steps: epoch 3's state
    assert not result.model.training


def test_learning_rate_drops_after_a_plateau_and_the_csv_records_it():
    result = scripted_run([1.0] * 10, max_epochs=6, lr_patience=1, lr_factor=0.5,
                          early_stopping_patience=50)
    lrs = [row["lr"] for row in result.history]
    assert lrs[:3] == [1.0, 1.0, 1.0] and lrs[3] == 0.5 and lrs[-1] < lrs[3]
    assert result.stop_reason == "max_epochs" and result.best_epoch == 1


def test_a_non_finite_loss_stops_and_keeps_the_best_epoch():
    result = scripted_run([3.0, 2.0, float("nan")])
    assert result.stop_reason == "non_finite_loss" and result.best_epoch == 2
    with pytest.raises(SongspaceError, match="lower train.lr"):
        scripted_run([float("inf")])


def test_restored_model_scores_its_recorded_best_validation_loss(data):
    split = split_indices(240, 0.2, seed=0)
    result = train_model(BUILDERS["beta_vae"], data["beta_vae"], split,
                         TrainConfig(**{**FAST.__dict__, "max_epochs": 4}), seed=0)
    again = evaluate(result.model, [torch.as_tensor(data["beta_vae"][0])],
                     torch.as_tensor(split[1]))
    assert again["loss"] == pytest.approx(result.best["loss"], rel=1e-6)


def test_validation_split_is_seeded_disjoint_and_complete():
    train, val = split_indices(101, 0.1, seed=3)
    assert len(val) == 10 and len(train) == 91
    assert sorted({*train, *val}) == list(range(101))
    assert np.array_equal(split_indices(101, 0.1, seed=3)[1], val)
    assert not np.array_equal(split_indices(101, 0.1, seed=4)[1], val)
    assert len(split_indices(2, 0.01, seed=0)[1]) == 1
    with pytest.raises(SongspaceError):
        split_indices(1, 0.1, seed=0)


def test_device_auto_is_cpu_without_cuda_and_cuda_without_one_is_one_line():
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    assert resolve_device("auto").type == "cpu"
    with pytest.raises(SongspaceError, match="train.device = cuda"):
        resolve_device("cuda")


def test_train_neural_writes_models_latents_metrics_and_curves(data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stale = outputs.latent_path("ae", 7)
    stale.parent.mkdir(parents=True)
    np.save(stale, np.zeros(1))
    params = {"seed": 1, "train": {"seeds": [0, 2], "max_epochs": 2, "batch_size": 64,
                                   "lr": 1e-3, "weight_decay": 0.0, "lr_factor": 0.5,
                                   "lr_patience": 7, "early_stopping_patience": 15,
                                   "val_fraction": 0.1, "device": "cpu", "threads": 1,
                                   "workers": 2}}
    inputs = Inputs([f"T{i}" for i in range(240)], data["ae"])
    body = train_neural("ae", BUILDERS["ae"], inputs, params, log=lambda _: None)
    for seed in (0, 2):
        latents = np.load(outputs.latent_path("ae", seed), allow_pickle=False)
        assert latents.shape == (240, 4) and latents.dtype == np.float32
        assert outputs.model_path("ae", seed).exists()
    assert not stale.exists()
    written = json.loads(outputs.metrics_path("ae").read_text())
    assert set(written) == {"model", "seeds", "mean"} and written["model"] == body["model"]
    assert set(written["seeds"]) == {"0", "2"}
    assert {"val_loss", "val_recon", "val_kl", "best_epoch", "epochs_run",
            "stop_reason"} <= set(written["seeds"]["0"])
    curves = pd.read_csv(outputs.curves_path("ae"))
    assert list(curves.columns) == list(outputs.CURVE_COLUMNS)
    assert curves["epoch"].tolist() == [1, 2] and (curves["val_kl"] == 0).all()
    for column in outputs.PER_VALUE:
        np.testing.assert_allclose(curves[f"{column}_per_value"], curves[column] / 144,
                                   rtol=1e-5)


def test_seeds_trained_side_by_side_match_seeds_trained_in_turn(data):
    config = TrainConfig(max_epochs=2, batch_size=64, lr=1e-3, weight_decay=0.0,
                         lr_factor=0.5, lr_patience=7, early_stopping_patience=15)
    inputs = Inputs([f"T{i}" for i in range(240)], data["ae"])
    split = split_indices(240, 0.1, seed=1)

    def run(workers: int) -> dict[int, dict]:
        return {seed: result.model.state_dict() for seed, result, _ in train_seeds(
            BUILDERS["ae"], inputs, split, config, [3, 0, 1], 1, workers)}

    in_turn = run(1)
    for side_by_side in (run(2), run(0)):  # 0: every seed in its own process at once
        assert list(side_by_side) == [3, 0, 1]  # train.seeds' order, whatever finishes first
        for seed, state in in_turn.items():
            for key, value in state.items():
                assert torch.equal(value, side_by_side[seed][key]), (seed, key)


def test_values_per_song_count_what_each_loss_sums_over(data):
    ids = [f"T{i}" for i in range(240)]
    assert Inputs(ids, data["ae"]).values_per_song == 144
    assert Inputs(ids, data["hybrid_vae"]).values_per_song == 144 + 40  # audio + vocabulary
    sequences, lengths = data["conv_vae"]
    assert Inputs(ids, data["conv_vae"], 24 * lengths.mean()).values_per_song == pytest.approx(
        24 * lengths.mean())


# --- through DVC, on the shared tiny project (tests/conftest.py) ---------------------------

INPUTS = {"ae": stats_inputs, "beta_vae": stats_inputs, "conv_vae": sequence_inputs,
          "hybrid_vae": hybrid_inputs}


def test_train_stages_keep_the_output_contract(tiny_project):
    params = yaml.safe_load((tiny_project / "params.yaml").read_text())
    n_songs = len(pd.read_csv(tiny_project / "data/subset/songs.csv"))
    features, text = tiny_project / "data/features", tiny_project / "data/text"
    for name in NEURAL:
        inputs = (hybrid_inputs(features, text) if name == "hybrid_vae"
                  else INPUTS[name](features))
        model = build_model(name, params, inputs.shapes)
        batch = tuple(as_rows(a, "cpu") for a in inputs.arrays)
        for seed in params["train"]["seeds"]:
            saved = np.load(tiny_project / outputs.latent_path(name, seed), allow_pickle=False)
            assert saved.shape == (n_songs, model.latent_dim) and saved.dtype == np.float32
            state = torch.load(tiny_project / outputs.model_path(name, seed), weights_only=True)
            model.load_state_dict(state)
            np.testing.assert_allclose(model.latent(batch).numpy(), saved, rtol=0, atol=1e-5)
        metrics = json.loads((tiny_project / outputs.metrics_path(name)).read_text())
        assert set(metrics["seeds"]) == {str(s) for s in params["train"]["seeds"]}
        assert "val_loss" in metrics["mean"]
        curves = pd.read_csv(tiny_project / outputs.curves_path(name))
        assert list(curves.columns) == list(outputs.CURVE_COLUMNS)
        np.testing.assert_allclose(curves["val_loss_per_value"],
                                   curves["val_loss"] / inputs.values_per_song, rtol=1e-4)
    sequences = sequence_inputs(features)
    # The ConvVAE's loss counts only each song's true steps, not the padding.
    assert sequences.values_per_song == pytest.approx(24 * sequences.arrays[1].mean())
    assert sequences.values_per_song <= 24 * sequences.arrays[0].shape[2]
    pca = PCAModel.load(tiny_project / "models/pca")
    saved = np.load(tiny_project / outputs.latent_path("pca", 0))
    assert saved.shape == (n_songs, params["model"]["pca"]["n_components"])
    assert sorted(p.name for p in (tiny_project / "data/latents/pca").iterdir()) == ["seed_0.npy"]
    np.testing.assert_allclose(pca.transform(stats_inputs(features).arrays), saved, atol=1e-5)
    for name in ("pca", "raw", "text"):  # every deterministic method writes the same outputs
        assert json.loads((tiny_project / outputs.metrics_path(name)).read_text())["model"] == name
        curve = pd.read_csv(tiny_project / outputs.curves_path(name))
        assert curve["cumulative"].iloc[-1] == pytest.approx(
            1.0 if name == "raw" else curve["explained_variance_ratio"].sum(), rel=1e-4)


def rendered_spec(html: str, div: str) -> dict:
    """The Vega-Lite spec `dvc plots show` wrote into the chart ``div``."""
    start = html.index(f'<div id = "{div}">')
    line = next(x for x in html[start:].splitlines() if "var spec = " in x)
    return json.loads(line.split("var spec = ", 1)[1].rstrip().rstrip(";"))


def test_plots_show_draws_one_chart_per_quantity_with_every_model(tiny_project, tmp_path):
    dvc(["plots", "show", "-o", str(tmp_path / "plots")], tiny_project)
    html = (tmp_path / "plots" / "index.html").read_text()
    for quantity in ("val_loss", "train_loss", "val_recon", "val_kl", "lr"):
        spec = rendered_spec(html, quantity)
        # one colour per model, the report's model column; one dash style per revision
        assert {row["model"] for row in spec["data"]["values"]} == {
            "AE", "Beta-VAE", "ConvVAE", "HybridVAE"}
        encoding = spec["encoding"] if "encoding" in spec else spec["spec"]["encoding"]
        assert encoding["color"]["field"] == "model" and encoding["strokeDash"]["field"] == "rev"
    variance = rendered_spec(html, "explained_variance")
    assert {row["model"] for row in variance["data"]["values"]} == {
        "PCA", "Raw statistics", "Tags (TF-IDF SVD)"}
    assert rendered_spec(html, "val_loss")["encoding"]["y"]["field"] == "val_loss_per_value"
    lr = rendered_spec(html, "lr")["spec"]
    assert lr["mark"]["interpolate"] == "step-after"
    assert lr["encoding"]["y"]["scale"]["type"] == "log"


@pytest.mark.parametrize("key, value, expected", [
    ("model.beta", 2.0, {"train@beta_vae"}),
    ("model.conv_vae.beta", 0.5, {"train@conv_vae"}),
    ("model.hybrid_vae.mask_genre_terms", True, {"train@hybrid_vae"}),
    ("model.pca.n_components", 8, {"train@pca"}),
    ("model.text.latent_dim", 8, {"train@text"}),
    ("train.lr", 0.002, TRAIN_STAGES),
])
def test_changing_one_param_invalidates_only_the_train_stages_that_read_it(
        tiny_project, tmp_path, key, value, expected):
    project = tmp_path / "project"
    shutil.copytree(tiny_project, project, symlinks=True)
    params = yaml.safe_load((project / "params.yaml").read_text())
    *parents, leaf = key.split(".")
    section = params
    for part in parents:
        section = section[part]
    section[leaf] = value
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    status = json.loads(dvc(["status", "--json"], project).stdout or "{}")
    assert set(status) & TRAIN_STAGES == expected


def test_saved_weights_are_byte_identical_whatever_the_file_name(data, tmp_path):
    model = BUILDERS["ae"]()
    outputs.save_state(model, tmp_path / "a" / "seed_0.pt")
    outputs.save_state(model, tmp_path / "b" / "seed_0.pt")
    assert (tmp_path / "a/seed_0.pt").read_bytes() == (tmp_path / "b/seed_0.pt").read_bytes()
