"""Each model recovers planted song groups better than chance; the HybridVAE reads its text;
the baselines have the right shapes and are deterministic."""

from songspace.errors import SongspaceError
from songspace.models.ae import Autoencoder
from songspace.models.beta_vae import BetaVAE
from songspace.models.conv_vae import ConvVAE
from songspace.models.hybrid_vae import HybridVAE
from songspace.models.text import TextSVD
from songspace.training.inputs import stats_inputs
from songspace.training.loop import TrainConfig, split_indices, train_model

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

N, GROUPS, L = 300, 3, 24
CONFIG = TrainConfig(max_epochs=30, batch_size=32, lr=3e-3, weight_decay=0.0, lr_factor=0.5,
                     lr_patience=5, early_stopping_patience=10, device="cpu")


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


def planted(seed: int = 0) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, ...]]]:
    """(group per song, each model's inputs). Groups differ only at the song level: in the
    mean and the spread of each channel; segments are independent noise around them, and
    songs have random lengths, so a model must describe the song, not its positions."""
    rng = np.random.default_rng(seed)
    groups = rng.integers(GROUPS, size=N)
    centre = rng.normal(0, 1.0, size=(GROUPS, 24))[groups]
    spread = np.exp(rng.normal(0, 0.5, size=(GROUPS, 24)))[groups]
    lengths = rng.integers(6, L + 1, size=N)
    noise = rng.normal(size=(N, 24, L)) * spread[:, :, None]
    sequences = (centre[:, :, None] + noise) * (np.arange(L) < lengths[:, None])[:, None, :]
    stats = np.hstack([centre, np.log(spread)]) + 0.3 * rng.normal(size=(N, 48))
    stats = np.repeat(stats, 3, axis=1) + 0.3 * rng.normal(size=(N, 144))
    stats = (stats - stats.mean(0)) / stats.std(0)
    words = rng.random((GROUPS, 60)) < 0.15
    text = (words[groups] & (rng.random((N, 60)) < 0.8)) | (rng.random((N, 60)) < 0.03)
    text = text / np.maximum(np.linalg.norm(text, axis=1, keepdims=True), 1e-9)
    f32 = np.float32
    return groups, {"ae": (stats.astype(f32),), "beta_vae": (stats.astype(f32),),
                    "conv_vae": (sequences.astype(f32), lengths.astype(np.int64)),
                    "hybrid_vae": (stats.astype(f32), text.astype(f32))}


BUILDERS = {
    "ae": lambda: Autoencoder(144, 4, [32, 16]),
    "beta_vae": lambda: BetaVAE(144, 4, [32, 16], beta=1.0),
    "conv_vae": lambda: ConvVAE(24, L, 4, [16, 32], beta=1.0),
    "hybrid_vae": lambda: HybridVAE(144, 60, 4, 16, 32, 32, alpha=8.0, beta=1.0),
}


def knn_accuracy(latents: np.ndarray, groups: np.ndarray) -> float:
    return float(cross_val_score(KNeighborsClassifier(10), latents, groups, cv=5).mean())


@pytest.fixture(scope="module")
def data():
    return planted()


@pytest.mark.parametrize("name", list(BUILDERS))
def test_each_model_recovers_planted_groups_better_than_chance(name, data):
    groups, inputs = data
    split = split_indices(N, 0.2, seed=0)
    model = train_model(BUILDERS[name], inputs[name], split, CONFIG, seed=0).model
    latents = model.latent(tuple(torch.as_tensor(a) for a in inputs[name])).numpy()
    chance = np.bincount(groups).max() / N
    assert knn_accuracy(latents, groups) > chance + 0.3, name


def test_conv_latent_ignores_what_lies_past_each_songs_length(data):
    _, inputs = data
    x, lengths = (torch.as_tensor(a) for a in inputs["conv_vae"])
    model = BUILDERS["conv_vae"]().eval()
    noisy = x + 50 * (torch.arange(L) >= lengths[:, None]).unsqueeze(1)
    assert torch.allclose(model.latent((x, lengths)), model.latent((noisy, lengths)), atol=1e-5)


def test_hybrid_latent_holds_what_only_its_text_says(data):
    """Songs get a second grouping that only their words carry: the latent must hold it,
    and move when only the text changes."""
    groups, inputs = data
    rng = np.random.default_rng(1)
    text_groups = rng.integers(GROUPS, size=N)
    words = rng.random((GROUPS, 60)) < 0.15
    text = (words[text_groups] & (rng.random((N, 60)) < 0.8)) | (rng.random((N, 60)) < 0.03)
    text = (text / np.maximum(np.linalg.norm(text, axis=1, keepdims=True), 1e-9))
    arrays = (inputs["hybrid_vae"][0], text.astype(np.float32))
    split = split_indices(N, 0.2, seed=0)
    model = train_model(BUILDERS["hybrid_vae"], arrays, split, CONFIG, seed=0).model
    audio, words_in = (torch.as_tensor(a) for a in arrays)
    latents = model.latent((audio, words_in))
    chance = np.bincount(text_groups).max() / N
    assert knn_accuracy(latents.numpy(), text_groups) > chance + 0.3
    donor = [int(np.flatnonzero(text_groups == (g + 1) % GROUPS)[0]) for g in text_groups]
    moved = (latents - model.latent((audio, words_in[donor]))).norm(dim=1)
    assert moved.mean() > 0.2 * torch.cdist(latents, latents).mean()


def test_text_baseline_shape_determinism_and_error():
    rng = np.random.default_rng(0)
    tfidf = sp.random(50, 30, density=0.2, format="csr", random_state=rng, dtype=np.float32)
    svd = TextSVD.from_data(tfidf, 4, seed=42)
    first = svd.project(tfidf)
    assert first.shape == (50, 4) and first.dtype == np.float32
    assert 0 < svd.explained_variance_ratio.sum() <= 1
    np.testing.assert_array_equal(TextSVD.from_data(tfidf, 4, seed=42).project(tfidf), first)
    with pytest.raises(SongspaceError, match="model.text.latent_dim = 30"):
        TextSVD.from_data(tfidf, 30, seed=42)


def test_baseline_latents_in_the_tiny_pipeline(tiny_project):
    raw = np.load(tiny_project / "data/latents/raw/seed_0.npy")
    (stats,) = stats_inputs(tiny_project / "data/features").arrays
    np.testing.assert_array_equal(raw, stats)  # raw: the z-scored statistics themselves
    text = np.load(tiny_project / "data/latents/text/seed_0.npy")
    assert text.shape == (len(stats), 16) and np.isfinite(text).all()
    assert sorted(p.name for p in (tiny_project / "data/latents/text").iterdir()) == [
        "seed_0.npy"]
