"""Models: shapes through each one, the loss conventions they share, genre-word masking,
PCA saved as plain arrays, and the registry."""

from pathlib import Path

from songspace.errors import SongspaceError
from songspace.models.base import SongModel, gaussian_kl
from songspace.models.conv_vae import ConvVAE, song_gaussian_nll
from songspace.models.hybrid_vae import HybridVAE
from songspace.models.pca import PCAModel
from songspace.models.registry import build_model, model_class
from songspace.models.spec import known_methods, spec
from songspace.models.text import TextSVD
from songspace.params import load_params
from songspace.training.inputs import genre_tokens, mask_genre_terms

import numpy as np
import pytest
import scipy.sparse as sp
import torch

ROOT = Path(__file__).resolve().parents[1]
NEURAL = ("ae", "beta_vae", "conv_vae", "hybrid_vae")
N = 6
SHAPES = {"ae": ((144,),), "beta_vae": ((144,),), "conv_vae": ((24, 100), ()),
          "hybrid_vae": ((144,), (1000,))}


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def params() -> dict:
    return load_params(ROOT / "params.yaml")


def batch_for(name: str) -> tuple[torch.Tensor, ...]:
    """A random batch of N songs shaped like the model's real inputs."""
    generator = torch.Generator().manual_seed(0)
    if name == "conv_vae":
        x = torch.randn(N, 24, 100, generator=generator)
        lengths = torch.tensor([100, 80, 3, 50, 100, 1])
        return x * (torch.arange(100)[None, None, :] < lengths[:, None, None]), lengths
    tensors = [torch.randn(N, *shape, generator=generator) for shape in SHAPES[name]]
    if name == "hybrid_vae":
        tensors[1] = torch.rand(N, 1000, generator=generator) * (tensors[1] > 1.5)
    return tuple(tensors)


@pytest.mark.parametrize("name", NEURAL)
def test_shapes_through_each_model_built_from_params_yaml(name, params):
    model = build_model(name, params, SHAPES[name])
    assert isinstance(model, SongModel)
    batch = batch_for(name)
    mean, logvar = model.encode(*batch)
    assert mean.shape == (N, model.latent_dim)
    assert model.latent_dim == params["model"][name]["latent_dim"]
    assert (logvar is None) == (name == "ae")
    if logvar is not None:
        assert logvar.shape == mean.shape
    decoded = model.decode(mean)
    decoded = decoded if isinstance(decoded, tuple) else (decoded,)
    for out, original in zip(decoded, batch, strict=False):
        assert out.shape == original.shape
    assert model.latent(batch).shape == (N, model.latent_dim)


@pytest.mark.parametrize("name", NEURAL)
def test_loss_parts_obey_loss_equals_recon_plus_beta_kl(name, params):
    model = build_model(name, params, SHAPES[name]).eval()
    parts = model.loss(model.prepare(batch_for(name)))
    assert {"loss", "recon", "kl"} <= parts.keys()
    assert all(value.ndim == 0 and torch.isfinite(value) for value in parts.values())
    beta = getattr(model, "beta", 0.0)
    assert parts["loss"].item() == pytest.approx((parts["recon"] + beta * parts["kl"]).item(),
                                                 rel=1e-5)
    if name == "ae":
        assert parts["kl"].item() == 0.0


def test_beta_vae_reads_model_beta(params):
    changed = {**params, "model": {**params["model"], "beta": 2.0}}
    assert build_model("beta_vae", changed, SHAPES["beta_vae"]).beta == 2.0


@pytest.mark.parametrize("length", [1, 2, 7, 16, 99, 100])
def test_conv_reconstruction_has_the_input_shape_at_any_sequence_length(length):
    model = ConvVAE(24, length, latent_dim=4, channels=[8, 16, 16], beta=1.0)
    x = torch.randn(3, 24, length)
    assert model(x)[0].shape == x.shape


def test_conv_reads_each_song_relative_to_itself():
    """Its timbre average and each chroma channel's offset and scale do not reach the code;
    the timbre spread (the texture) does."""
    torch.manual_seed(0)
    model = ConvVAE(24, 20, latent_dim=4, channels=[8, 16], beta=0.1).eval()
    x, lengths = torch.randn(2, 24, 20), torch.tensor([12, 20])
    moved = x.clone()
    moved[:, :12] += torch.randn(2, 12, 1) * 3  # another average sound
    moved[:, 12:] = moved[:, 12:] * 2.5 + 1.0  # other notes weighted
    torch.testing.assert_close(model.encode(moved, lengths), model.encode(x, lengths))
    wider = x.clone()
    wider[:, :12] *= 2.0
    assert not torch.allclose(model.encode(wider, lengths)[0], model.encode(x, lengths)[0])


def test_conv_likelihood_is_the_per_step_gaussian_over_each_songs_true_steps():
    """The loss's sums give what scoring every true step does, and padding never counts."""
    torch.manual_seed(0)
    model = ConvVAE(24, 10, latent_dim=4, channels=[8, 16], beta=0.1)
    x, lengths = torch.randn(3, 24, 10), torch.tensor([10, 4, 1])
    padded = x.clone()
    padded[1, :, 4:], padded[2, :, 1:] = 100.0, -7.0  # garbage past the lengths
    prepared = model.prepare((padded, lengths))
    for got, want in zip(prepared, model.prepare((x, lengths)), strict=True):
        torch.testing.assert_close(got, want)
    relative, _, step_sums, square_sums = prepared
    mean, logvar = torch.randn(3, 24), torch.randn(3, 24)
    per_step = sum(
        (0.5 * ((relative[i, :, :n] - mean[i, :, None]).pow(2) * torch.exp(-logvar[i, :, None])
                + logvar[i, :, None])).sum() for i, n in enumerate(lengths.tolist())) / 3
    counts = lengths[:, None].float()
    got = song_gaussian_nll(mean, logvar, step_sums, square_sums, counts)
    assert got.item() == pytest.approx(per_step.item(), rel=1e-5)


def test_vae_samples_only_in_training_mode(params):
    model = build_model("beta_vae", params, SHAPES["beta_vae"])
    (x,) = batch_for("beta_vae")
    model.eval()
    assert torch.equal(model(x)[0], model(x)[0])
    model.train()
    assert not torch.equal(model(x)[0], model(x)[0])


def test_gaussian_kl_is_zero_at_the_prior_and_positive_elsewhere():
    zeros = torch.zeros(4, 3)
    assert gaussian_kl(zeros, zeros).item() == 0.0
    assert gaussian_kl(torch.ones(4, 3), zeros).item() == pytest.approx(1.5)


def test_hybrid_alpha_weighs_the_text_reconstruction():
    batch = batch_for("hybrid_vae")
    for alpha in (0.0, 2.0):
        torch.manual_seed(0)
        model = HybridVAE(144, 1000, 8, 16, 32, 32, alpha=alpha, beta=1.0).eval()
        parts = model.loss(model.prepare(batch))
        assert parts["recon"].item() == pytest.approx(
            (parts["recon_audio"] + alpha * parts["recon_text"]).item(), rel=1e-5)


def test_mask_genre_terms_drops_the_words_of_genre_names_and_renormalises():
    vocabulary = ["hip", "hop", "indie", "jazz", "piano", "rockabilly", "rock"]
    matrix = sp.csr_matrix(np.array([[0.5, 0.5, 0.5, 0.0, 0.5, 0.0, 0.0],
                                     [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
                                     [0.0, 0.0, 0.6, 0.0, 0.0, 0.8, 0.0]], dtype=np.float32))
    assert genre_tokens(["rock", "hip hop", "r&b"]) == {"rock", "hip", "hop"}
    kept, words = mask_genre_terms(matrix, vocabulary, ["rock", "hip hop"])
    assert words == ["indie", "jazz", "piano", "rockabilly"]  # whole words only
    dense = kept.toarray()
    np.testing.assert_allclose(dense[0], [np.sqrt(0.5), 0, np.sqrt(0.5), 0], rtol=1e-6)
    assert not dense[1].any()  # a song with only genre words has no text left
    np.testing.assert_allclose(dense[2], [0.6, 0, 0, 0.8], rtol=1e-6)


def test_mask_that_leaves_no_words_is_one_line():
    with pytest.raises(SongspaceError, match="removed every TF-IDF word"):
        mask_genre_terms(sp.csr_matrix(np.ones((2, 1), dtype=np.float32)), ["rock"], ["rock"])


def test_pca_saves_plain_arrays_and_reloads_to_the_same_latents(tmp_path):
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(200, 5)) @ rng.normal(size=(5, 30))).astype(np.float32)
    pca = PCAModel.from_data(x, 4)
    latents = pca.project(x)
    assert latents.shape == (200, 4) and latents.dtype == np.float32
    assert pca.explained_variance_ratio.sum() > 0.8  # 5 planted directions, 4 kept
    pca.save(tmp_path)
    with np.load(tmp_path / "pca.npz", allow_pickle=False) as data:
        assert set(data.files) == {"components", "mean", "explained_variance_ratio"}
    np.testing.assert_array_equal(PCAModel.load(tmp_path).transform((x,)), latents)
    np.testing.assert_array_equal(PCAModel.from_data(x, 4).project(x), latents)  # deterministic


# --- a song's latent does not depend on the songs encoded with it (issue 22) -------------

BATCH_SIZES = (1, 2, 3, 5, 8, 13, 37)  # the full set is 64 rows


def _in_batches(encode, data, size: int) -> np.ndarray:
    """``encode`` applied to ``data`` (an array, or a tuple of them) ``size`` rows at a time."""
    def part(rows: slice):
        return tuple(t[rows] for t in data) if isinstance(data, tuple) else data[rows]

    n = (data[0] if isinstance(data, tuple) else data).shape[0]
    return np.concatenate([encode(part(slice(i, i + size))) for i in range(0, n, size)])


@pytest.mark.parametrize("name", NEURAL)
def test_each_songs_latent_is_the_same_bits_in_any_batch(name, params):
    model = build_model(name, params, SHAPES[name])
    generator = torch.Generator().manual_seed(1)
    if name == "conv_vae":
        lengths = torch.randint(1, 101, (64,), generator=generator)
        batch = (torch.randn(64, 24, 100, generator=generator)
                 * (torch.arange(100)[None, None, :] < lengths[:, None, None]), lengths)
    else:
        batch = tuple(torch.randn(64, *shape, generator=generator) for shape in SHAPES[name])
    whole = model.latent(batch).numpy()
    for size in BATCH_SIZES:
        batched = _in_batches(lambda part: model.latent(part).numpy(), batch, size)
        np.testing.assert_array_equal(batched, whole, err_msg=f"batches of {size}")


def test_pca_and_text_projections_are_the_same_bits_in_any_batch():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(64, 144)).astype(np.float32)
    pca = PCAModel.from_data(x, 16)
    tfidf = sp.random(64, 300, density=0.05, format="csr", random_state=3, dtype=np.float32)
    svd = TextSVD.from_data(tfidf, 8, seed=0)
    for transform, data in ((pca.project, x), (svd.project, tfidf)):
        whole = transform(data)
        for size in BATCH_SIZES:
            np.testing.assert_array_equal(_in_batches(transform, data, size), whole)


def test_pca_with_more_components_than_features_is_one_line():
    with pytest.raises(SongspaceError, match="model.pca.n_components = 9"):
        PCAModel.from_data(np.zeros((20, 8), dtype=np.float32), 9)


def test_every_method_file_has_a_spec_and_its_class(params):
    """Each of params.yaml's methods is a file whose SPEC names it, its class and its block."""
    assert set(params["methods"]) <= set(known_methods())
    for name in params["methods"]:
        found = spec(name)
        assert found.name == name and isinstance(model_class(name), type)
        assert set(found.params) == set(params["model"][name])
    assert [m for m in params["methods"] if spec(m).per_seed] == list(NEURAL)
    with pytest.raises(SongspaceError, match="unknown method 'vae'.*known: ae, beta_vae"):
        model_class("vae")
    with pytest.raises(SongspaceError, match="not a neural model"):
        build_model("pca", params, SHAPES["ae"])
