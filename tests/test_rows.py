"""Inputs handed out a block at a time (training/rows.py) give the rows a whole dense copy
would, and the seeds share one prepared copy of them."""

from songspace.features.block import pack_block
from songspace.features.extract import write_features
from songspace.features.store import load_sequences, load_zscore
from songspace.models.conv_vae import ConvVAE
from songspace.models.hybrid_vae import HybridVAE
from songspace.training.inputs import Inputs, sequence_inputs
from songspace.training.loop import TrainConfig, split_indices, train_model
from songspace.training.rows import SparseRows, as_rows
from songspace.training.runs import train_seeds

import numpy as np
import pytest
import scipy.sparse as sp
import torch

CONFIG = TrainConfig(max_epochs=2, batch_size=16, lr=3e-3, weight_decay=0.0, lr_factor=0.5,
                     lr_patience=5, early_stopping_patience=10, device="cpu")


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def features(tmp_path_factory):
    """A features directory of 150 songs of random segments."""
    rng = np.random.default_rng(0)
    out = tmp_path_factory.mktemp("features")
    rows = []
    for i in range(150):
        n = int(rng.integers(3, 40))
        sequence = np.zeros((24, 30), np.float32)
        sequence[:, :min(n, 30)] = rng.normal(size=(24, min(n, 30)))
        rows.append((f"TR{i:016d}", rng.normal(size=144), sequence, min(n, 30),
                     (["rock"], [1.0], [1.0]), ("AR1", [])))
    blocks = [pack_block(rows[start:start + 64], 30) for start in range(0, 150, 64)]
    write_features(blocks, [row[0] for row in rows], out, seq_len=30, progress=False)
    return out


def test_zscored_sequences_read_as_the_whole_array_would(features):
    inputs = sequence_inputs(features)
    _, raw, lengths = load_sequences(features)
    whole = load_zscore(features).sequences(raw, lengths)
    store = inputs.arrays[0]
    assert store.shape == whole.shape and len(store) == 150
    np.testing.assert_array_equal(store[10:70].numpy(), whole[10:70])
    rows = torch.tensor([90, 3, 41, 7])
    np.testing.assert_array_equal(store[rows].numpy(), whole[rows.numpy()])
    np.testing.assert_array_equal(np.asarray(store), whole)


def test_conv_prepare_from_the_store_equals_prepare_from_the_whole_array(features):
    inputs = sequence_inputs(features)
    _, raw, lengths = load_sequences(features)
    whole = torch.as_tensor(load_zscore(features).sequences(raw, lengths))
    model = ConvVAE(24, 30, 4, [8, 16], beta=0.1)
    lengths = torch.as_tensor(inputs.arrays[1])
    from_store = model.prepare((as_rows(inputs.arrays[0], "cpu"), lengths))
    for got, want in zip(from_store, model.prepare((whole, lengths)), strict=True):
        assert torch.equal(got, want)
    batch = tuple(as_rows(a, "cpu") for a in inputs.arrays)
    assert torch.equal(model.latent(batch, chunk=64), model.latent((whole, lengths), chunk=64))


def test_sparse_rows_train_as_the_dense_matrix_does():
    rng = np.random.default_rng(1)
    stats = rng.normal(size=(120, 144)).astype(np.float32)
    text = sp.random(120, 40, density=0.1, random_state=2, format="csr", dtype=np.float32)
    rows = SparseRows(text)
    idx = torch.tensor([5, 0, 119, 5])
    np.testing.assert_array_equal(rows[idx].numpy(), text.toarray()[idx.numpy()])
    np.testing.assert_array_equal(rows[3:9].numpy(), text.toarray()[3:9])
    np.testing.assert_array_equal(np.asarray(rows), text.toarray())

    def build():
        return HybridVAE(144, 40, 4, 16, 32, 32, alpha=1.0, beta=1.0)

    split = split_indices(120, 0.2, seed=0)
    dense = train_model(build, (stats, text.toarray()), split, CONFIG, seed=0).model
    sparse = train_model(build, (stats, rows), split, CONFIG, seed=0).model
    for key, value in dense.state_dict().items():
        assert torch.equal(value, sparse.state_dict()[key]), key


def test_the_seeds_share_one_prepared_copy(monkeypatch):
    calls = []
    real = ConvVAE.prepare

    def counted(self, inputs):
        calls.append(len(inputs[0]))
        return real(self, inputs)

    monkeypatch.setattr(ConvVAE, "prepare", counted)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(64, 24, 12)).astype(np.float32)
    lengths = rng.integers(3, 13, size=64)
    inputs = Inputs([f"T{i}" for i in range(64)], (x, lengths))
    runs = list(train_seeds(lambda: ConvVAE(24, 12, 4, [8, 16], beta=0.1), inputs,
                            split_indices(64, 0.25, seed=0), CONFIG, [0, 1, 2], 1, 0))
    assert [seed for seed, _, _ in runs] == [0, 1, 2]
    assert calls == [64]  # once, in this process, before the seeds' processes fork
