"""Do the operations the pipeline computes with give the same bits on an Intel and an AMD CPU?

    python tools/emulated_ops.py                       # every operation, both emulated CPUs
    python tools/emulated_ops.py --only torch.sqrt     # some of them (names as printed)

Each operation in OPERATIONS runs on fixed random inputs natively and under QEMU
(../shared/tools/qemu-x86_64) emulating an Intel Haswell and an AMD EPYC-Rome, and the
bytes of its results are compared (issue 28). QEMU computes exact IEEE operations with the
host's bits and the approximate RCPPS/RSQRTPS family its own way, so an operation whose
result follows one of those differs here, as it would between an Intel and an AMD chip.
Adding a model or a stage that calls an operation not listed: add it to OPERATIONS and run
this; the table is summarised in src/songspace/kernels.py's docstring. Exit status 1 when an
operation not in AVOID differs (or one in AVOID no longer does: the list is stale).
"""

import argparse
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import songspace  # noqa: F401  (first: it pins the CPU kernels, as in every stage)
from songspace.evaluation.clustering import cluster
from songspace.evaluation.metrics import knn_probe, silhouette
from songspace.evaluation.tsne import embed
from songspace.models.layers import exact
from songspace.models.layers.portable_conv import PortableConv1d
from songspace.retrieval import search

import faiss
import numpy as np
import scipy.signal
import scipy.sparse as sp
import scipy.stats
import torch
from sklearn.decomposition import PCA, TruncatedSVD
from torch.nn import functional as F

ROOT = Path(__file__).resolve().parents[1]
QEMU = ROOT.parent / "shared" / "tools" / "qemu-x86_64"
CPUS = ("Haswell-v4", "EPYC-Rome")
N = 20_000  # values per elementwise operation: ~1 in 6 torch.sqrt roots differ, so all show

# Measured to differ between CPUs: never on a stage's path (exact.sqrt instead). torch.rsqrt
# and F.normalize gave the same bits (QEMU 10.0, torch 2.13), so they are not here.
AVOID = {"torch.sqrt", "torch.sqrt float64", "Tensor.pow(0.5)", "torch.cdist"}


def _data(seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    positive = rng.random(N).astype(np.float32) * 10 + 1e-3
    return {
        "positive": positive,
        "values": rng.standard_normal(N).astype(np.float32),
        "matrix": rng.standard_normal((200, 16)).astype(np.float32),
        "sequences": rng.standard_normal((8, 24, 40)).astype(np.float32),
        "labels": rng.integers(0, 4, 200),
    }


def _grad(fn: Callable, x: np.ndarray) -> tuple:
    """fn's result and its input gradient (of the sum), as numpy."""
    tensor = torch.from_numpy(x.copy()).requires_grad_()
    out = fn(tensor)
    out.sum().backward()
    return out.detach().numpy(), tensor.grad.numpy()


def _linear_and_adam(d: dict) -> tuple:
    torch.manual_seed(0)
    layer = torch.nn.Linear(16, 8)
    optimizer = torch.optim.Adam(layer.parameters(), lr=1e-3, weight_decay=1e-5, fused=True)
    for _ in range(3):
        optimizer.zero_grad()
        F.log_softmax(layer(torch.from_numpy(d["matrix"])), 1).sum().backward()
        optimizer.step()
    return layer.weight.detach().numpy(), layer.bias.detach().numpy()


def _conv(d: dict) -> tuple:
    torch.manual_seed(0)
    conv = PortableConv1d(24, 16, 5, 2, 2)
    x = torch.from_numpy(d["sequences"]).requires_grad_()
    out = torch.relu(conv(x))
    out.pow(2).sum().backward()
    return out.detach().numpy(), x.grad.numpy(), conv.weight.grad.numpy()


def _tensor(fn: Callable) -> Callable[[dict], tuple]:
    """An elementwise torch operation on the positive values, with its gradient."""
    return lambda d: _grad(fn, d["positive"])


OPERATIONS: dict[str, Callable[[dict], object]] = {
    # torch, as the models and the training loop use it
    "torch.sqrt": _tensor(torch.sqrt),
    "torch.sqrt float64": lambda d: _grad(torch.sqrt, d["positive"].astype(np.float64)),
    "torch.rsqrt": _tensor(torch.rsqrt),
    "Tensor.pow(0.5)": _tensor(lambda t: t.pow(0.5)),
    "torch.cdist": lambda d: torch.cdist(torch.from_numpy(d["matrix"]),
                                         torch.from_numpy(d["matrix"])).numpy(),
    "F.normalize": lambda d: F.normalize(torch.from_numpy(d["matrix"]), dim=1).numpy(),
    "exact.sqrt": _tensor(exact.sqrt),
    "exact.sqrt float64": lambda d: _grad(exact.sqrt, d["positive"].astype(np.float64)),
    "torch add, mul, div": _tensor(lambda t: (t * 1.7 + 0.3) / (t + 2.0)),
    "Tensor.pow(2)": _tensor(lambda t: t.pow(2)),
    "torch.exp": _tensor(lambda t: torch.exp(-t)),
    "torch.log": _tensor(torch.log),
    "torch.tanh": _tensor(torch.tanh),
    "F.softplus": _tensor(F.softplus),
    "torch.sigmoid": _tensor(torch.sigmoid),
    "torch.clamp, relu": _tensor(lambda t: torch.relu(t - 5).clamp(max=3)),
    "torch sum, mean": lambda d: _grad(lambda t: t.reshape(100, -1).mean(1) + t.sum(),
                                       d["values"]),
    "torch.std": lambda d: _grad(lambda t: t.reshape(100, -1).std(1), d["values"]),
    "torch.norm": lambda d: _grad(lambda t: t.reshape(100, -1).norm(dim=1), d["values"]),
    "F.log_softmax": lambda d: _grad(lambda t: F.log_softmax(t.reshape(100, -1), 1),
                                     d["values"]),
    "F.layer_norm": lambda d: _grad(lambda t: F.layer_norm(t.reshape(100, -1), (200,)),
                                    d["values"]),
    "torch.randn, randperm": lambda d: (torch.randn(N, generator=torch.Generator().manual_seed(0))
                                        .numpy(),
                                        torch.randperm(N, generator=torch.Generator()
                                                       .manual_seed(0)).numpy()),
    "nn.Linear, log_softmax, fused Adam": _linear_and_adam,
    "PortableConv1d forward and backward": _conv,
    # numpy and scipy (features, z-scoring, synthesis, baselines)
    "np.sqrt": lambda d: np.sqrt(d["positive"]),
    "np.power(x, 1.5), np.exp, np.log": lambda d: (np.power(d["positive"].astype(np.float64), 1.5),
                                                   np.exp(-d["positive"]), np.log(d["positive"])),
    "np.mean, std, var": lambda d: (d["values"].reshape(100, -1).mean(1),
                                    d["values"].reshape(100, -1).std(1),
                                    d["values"].astype(np.float64).reshape(100, -1).var(1)),
    "np.linalg.norm, matmul": lambda d: (np.linalg.norm(d["matrix"], axis=1),
                                         d["matrix"] @ d["matrix"].T),
    "scipy.stats.skew, kurtosis": lambda d: (scipy.stats.skew(d["values"].reshape(100, -1), 1),
                                             scipy.stats.kurtosis(d["values"].reshape(100, -1),
                                                                  1)),
    "scipy.signal.lfilter": lambda d: scipy.signal.lfilter([np.sqrt(0.19)], [1, -0.9],
                                                           d["values"].astype(np.float64)),
    "numpy Generator": lambda d: np.random.default_rng(1).standard_normal(N),
    # scikit-learn, openTSNE and faiss, through the functions the evaluation stages call
    "sklearn PCA": lambda d: PCA(8, random_state=0).fit_transform(d["matrix"]),
    "sklearn TruncatedSVD (sparse)": lambda d: TruncatedSVD(4, random_state=0).fit_transform(
        sp.csr_matrix(np.where(d["matrix"] > 1, d["matrix"], 0))),
    "K-Means (evaluation.clustering)": lambda d: cluster(d["matrix"], 4, 2, "kmeans", 0),
    "silhouette, k-NN probe": lambda d: np.array(
        [silhouette(d["matrix"], d["labels"], 10_000, 0),
         *knn_probe(d["matrix"], d["labels"], 5, 3, 0).values()]),
    "openTSNE (evaluation.tsne)": lambda d: embed(d["matrix"], 30, 0, 1),
    "exact search (retrieval)": lambda d: search.build(d["matrix"], "euclidean", 10**6)
    .search(d["matrix"], 5)[0],
    "faiss HNSW, cosine (retrieval)": lambda d: search.build(d["matrix"], "cosine", 0)
    .search(d["matrix"], 5)[0],
    "faiss.normalize_L2": lambda d: _faiss_normalized(d["matrix"]),
}


def _faiss_normalized(matrix: np.ndarray) -> np.ndarray:
    copy = matrix.copy()
    faiss.normalize_L2(copy)
    return copy


def digest(result) -> str:
    """sha256 of the bytes of every array in ``result`` (an array or a tuple of them)."""
    parts = result if isinstance(result, tuple) else (result,)
    sha = hashlib.sha256()
    for part in parts:
        sha.update(np.ascontiguousarray(part).tobytes())
    return sha.hexdigest()[:16]


def digests(names: list[str]) -> dict[str, str]:
    torch.set_num_threads(1)
    data = _data()
    return {name: digest(OPERATIONS[name](data)) for name in names}


def run(names: list[str], cpu: str | None) -> dict[str, str]:
    """This script's digests in a fresh process, under QEMU emulating ``cpu`` (None: native)."""
    launcher = [] if cpu is None else [str(QEMU), "-cpu", cpu]
    result = subprocess.run([*launcher, sys.executable, __file__, "--digests", *names],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"emulated_ops.py: the {cpu or 'native'} run failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=list(OPERATIONS),
                        help="these operations only")
    parser.add_argument("--cpus", nargs="+", default=list(CPUS), help="QEMU CPU models")
    parser.add_argument("--digests", nargs="*", help=argparse.SUPPRESS)  # one run's digests
    args = parser.parse_args()
    if args.digests is not None:
        print(json.dumps(digests(args.digests or list(OPERATIONS))))
        return 0
    if not QEMU.is_file():
        sys.exit(f"emulated_ops.py: {QEMU} is absent: it comes with the development machines")
    names = args.only or list(OPERATIONS)
    runs = [None, *args.cpus]
    with ThreadPoolExecutor(len(runs)) as pool:
        results = dict(zip(runs, pool.map(lambda cpu: run(names, cpu), runs), strict=True))
    wrong = []
    print(f"{'operation':40} " + " ".join(f"{cpu:>11}" for cpu in args.cpus) + "  expected")
    for name in names:
        same = [results[cpu][name] == results[None][name] for cpu in args.cpus]
        expected = "differs" if name in AVOID else "same"
        if all(same) == (name in AVOID):
            wrong.append(name)
        print(f"{name:40} " + " ".join(f"{'same' if s else 'DIFFERS':>11}" for s in same)
              + f"  {expected}")
    if wrong:
        print(f"\nnot as expected: {', '.join(wrong)} (see AVOID in tools/emulated_ops.py)")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
