"""Prints, as JSON, which kernel path each library took and a hash of every number a small
training run and a small evaluation compute. tests/test_kernels.py runs it in fresh
processes under forced kernel paths: importing songspace first is the point."""

import hashlib
import json

from songspace import kernels
from songspace.evaluation.clustering import cluster
from songspace.evaluation.metrics import knn_probe, silhouette
from songspace.evaluation.tsne import embed
from songspace.models.ae import Autoencoder
from songspace.models.beta_vae import BetaVAE
from songspace.models.conv_vae import ConvVAE
from songspace.models.hybrid_vae import HybridVAE
from songspace.models.pca import PCAModel
from songspace.retrieval import search
from songspace.training.loop import TrainConfig, split_indices, train_model

import faiss
import numpy as np
import torch
from numpy._core._multiarray_umath import __cpu_features__
from threadpoolctl import threadpool_info

N_SONGS, LENGTH, VOCABULARY = 240, 40, 60
CONFIG = TrainConfig(max_epochs=2, batch_size=32, lr=1e-3, weight_decay=1e-5, lr_factor=0.5,
                     lr_patience=7, early_stopping_patience=15)


def digest(array) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:16]


def main() -> None:
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    stats = rng.standard_normal((N_SONGS, 144)).astype(np.float32)
    sequences = rng.standard_normal((N_SONGS, 24, LENGTH)).astype(np.float32)
    lengths = rng.integers(5, LENGTH + 1, N_SONGS)
    text = np.where(rng.random((N_SONGS, VOCABULARY)) < 0.2,
                    rng.random((N_SONGS, VOCABULARY)), 0).astype(np.float32)
    labels = rng.integers(0, 4, N_SONGS)
    models = {
        "ae": (lambda: Autoencoder(144, 8, [32, 16]), (stats,)),
        "beta_vae": (lambda: BetaVAE(144, 8, [32, 16], 4.0), (stats,)),
        "conv_vae": (lambda: ConvVAE(24, LENGTH, 8, [16, 32], 0.1), (sequences, lengths)),
        "hybrid_vae": (lambda: HybridVAE(144, VOCABULARY, 8, 16, 32, 32, 8.0, 1.0),
                       (stats, text)),
    }
    split = split_indices(N_SONGS, 0.1, 0)
    hashes, latents = {}, {}
    for name, (build, arrays) in models.items():
        model = train_model(build, arrays, split, CONFIG, seed=0).model
        latents[name] = model.latent(tuple(torch.as_tensor(a) for a in arrays)).numpy()
        hashes[f"train {name}"] = digest(latents[name])
    latents["pca"] = PCAModel.from_data(stats, 8).project(stats)
    for name, z in latents.items():
        clusters = cluster(z, 4, 2, "kmeans", 0)
        hashes[f"evaluate {name}"] = digest(np.concatenate([
            clusters.astype(np.float64),
            [silhouette(z, clusters, 10_000, 0)],
            list(knn_probe(z, labels, 5, 3, 0).values()),
            embed(z, 30, 0, 1).ravel(),
            search.build(z, "euclidean", exact_max=0).search(z, 5)[1].ravel(),
        ]))
    print(json.dumps({
        "pinned": not kernels.skipped_because,
        "torch": torch.backends.cpu.get_cpu_capability(),
        "openblas": sorted({info.get("architecture") for info in threadpool_info()
                            if info.get("internal_api") == "openblas"}),
        "numpy_avx512": bool(__cpu_features__.get("X86_V4")),
        "faiss": faiss.SIMDConfig.get_level_name(),
        "hashes": hashes,
    }))


if __name__ == "__main__":
    main()
