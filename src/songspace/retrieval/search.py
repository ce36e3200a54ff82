"""Nearest-neighbour search in a latent space: exact (scikit-learn) up to retrieval.exact_max
songs, an approximate HNSW index (faiss) above, where exact search of every song against
every other grows with N squared.

faiss was chosen by measurement (benchmarks/retrieval.py, reports/benchmarks.md): it installs
as a binary wheel here, and its HNSW index kept recall@10 at 0.996 with 0.3 ms a query at 1M
songs on 2 cores. hnswlib has no wheel for this platform (a C++ build); pynndescent (numba)
had not finished its first 100k-song index after 2.5 minutes, where faiss took 16-19 s.

The index is a set of HNSW graphs of HNSW_SHARD songs each (issue 21), searched together.
One graph over every song cost more per song the more songs it held: built on one thread,
13.4 s at 100,000 songs and 259 s at 1,000,000 (1.9 x linear), once the graph outgrew the
CPU's caches. Graphs of a fixed size cost the same per song at any N, and each is built by a
task of its own, so the cores build them side by side; each stays reproducible (one thread).
A query asks every graph (1,000,000 songs: 10 small searches).
"""

from dataclasses import dataclass, field
from pathlib import Path

from songspace.errors import SongspaceError

import numpy as np
from sklearn.neighbors import NearestNeighbors

METRICS = ("euclidean", "cosine")
HNSW_M = 32                 # links per node: recall 0.999 at ef 64 on 16-d vectors (100k)
HNSW_EF_CONSTRUCTION = 100
HNSW_EF_SEARCH = 64         # candidates kept per query; raised to k + 1 when k is larger
HNSW_SHARD = 100_000        # songs per HNSW graph: the size up to which a graph stays cheap


def _vectors(latents: np.ndarray, metric: str) -> np.ndarray:
    """float32 rows for faiss; unit rows for cosine, whose ranking is then euclidean's."""
    vectors = np.ascontiguousarray(latents, dtype=np.float32)
    if metric == "cosine":
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms > 0, norms, 1)
    return vectors


@dataclass
class Index:
    """A searchable latent space: ``kind`` is "exact" or "approximate"."""

    kind: str
    metric: str
    n_songs: int
    _search: object  # NearestNeighbors (exact) or a faiss IndexShards (approximate)
    shards: list = field(default_factory=list)  # the HNSW graphs, in song order

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(distances, song indices) of the ``k`` nearest songs to each query, nearest first.
        Distances are euclidean, or cosine distance (1 - cos) for the cosine metric."""
        if self.kind == "exact":
            distances, found = self._search.kneighbors(np.asarray(queries, np.float64), k)
            return distances, found
        for shard in self.shards:
            shard.hnsw.efSearch = max(HNSW_EF_SEARCH, k + 1)
        squared, found = self._search.search(_vectors(queries, self.metric), k)
        squared = np.maximum(squared.astype(np.float64), 0)
        return (squared / 2 if self.metric == "cosine" else np.sqrt(squared)), found

    def save(self, path: Path) -> None:
        """Write an approximate index, its graphs as faiss serialises them, in one .npz (an
        exact one is just the latents: nothing to save)."""
        with open(path, "wb") as handle:
            np.savez(handle, *[shard_bytes(shard) for shard in self.shards])


def shard_starts(n_songs: int) -> range:
    """The first song of each HNSW graph."""
    return range(0, n_songs, HNSW_SHARD)


def build_shard(latents: np.ndarray, metric: str):
    """One HNSW graph of ``latents`` (at most HNSW_SHARD songs), built on one thread: faiss
    inserts in parallel in a racy order, so more threads would give a different graph, and
    different answers, on every run."""
    import faiss

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        vectors = _vectors(latents, metric)
        graph = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M)
        graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        graph.add(vectors)
    finally:  # searches (each query on its own) may use every thread again
        faiss.omp_set_num_threads(threads)
    return graph


def shard_bytes(shard) -> np.ndarray:
    """A graph as bytes (to save it, or to send it from a worker process)."""
    import faiss

    return faiss.serialize_index(shard)


def from_shards(shards: list, metric: str) -> Index:
    """The approximate index of graphs built on consecutive songs (in song order), as graphs
    or their bytes."""
    import faiss

    graphs = [faiss.deserialize_index(s) if isinstance(s, np.ndarray) else s for s in shards]
    together = faiss.IndexShards(graphs[0].d, False, True)  # one thread, song numbers kept
    for graph in graphs:
        together.add_shard(graph)
    return Index("approximate", metric, int(together.ntotal), together, graphs)


def build(latents: np.ndarray, metric: str, exact_max: int, threads: int = 1) -> Index:
    """Exact search up to ``exact_max`` songs, HNSW graphs above (one after another here; the
    retrieval stage builds them on every core)."""
    if metric not in METRICS:
        raise SongspaceError(f"retrieval.metric = {metric!r}; expected one of {', '.join(METRICS)}")
    n_songs = len(latents)
    if n_songs <= exact_max:
        search = NearestNeighbors(metric=metric, algorithm="brute", n_jobs=threads)
        return Index("exact", metric, n_songs, search.fit(np.asarray(latents, np.float64)))
    return from_shards([build_shard(latents[start:start + HNSW_SHARD], metric)
                        for start in shard_starts(n_songs)], metric)


def load(path: Path, metric: str) -> Index:
    """An approximate index written by ``Index.save``."""
    with np.load(path, allow_pickle=False) as saved:
        return from_shards([saved[name] for name in saved.files], metric)


def neighbours(index: Index, latents: np.ndarray, k: int, rows: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest other songs of every song, or of the songs ``rows`` (each itself
    excluded): (distances, indices), one row per query song."""
    n_songs = len(latents)
    if not 1 <= k < n_songs:
        raise SongspaceError(f"retrieval.k = {k} needs at least {k + 1} songs; "
                             f"there are {n_songs}")
    queries = np.arange(n_songs) if rows is None else np.asarray(rows)
    distances, found = index.search(latents if rows is None else latents[queries], k + 1)
    if (found < 0).any():
        raise SongspaceError("the approximate index returned fewer neighbours than asked; "
                             "raise retrieval.exact_max to search exactly")
    own = found == queries[:, None]
    own[~own.any(axis=1), -1] = True  # itself not found (ties): drop the farthest instead
    keep = ~own
    return (distances[keep].reshape(len(queries), k), found[keep].reshape(len(queries), k))


def random_neighbours(n_songs: int, k: int, rng: np.random.Generator,
                      rows: np.ndarray | None = None) -> np.ndarray:
    """``k`` songs for every song (or each of ``rows``) drawn uniformly from the other songs
    (independently, so a song may repeat): each slot has the chance figure's exact
    expectation."""
    queries = np.arange(n_songs) if rows is None else np.asarray(rows)
    drawn = rng.integers(0, n_songs - 1, size=(len(queries), k))
    return drawn + (drawn >= queries[:, None])
