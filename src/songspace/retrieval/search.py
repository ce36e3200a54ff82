"""Nearest-neighbour search in a latent space: exact (scikit-learn) up to retrieval.exact_max
songs, an approximate HNSW index (faiss) above, where exact search of every song against
every other grows with N squared.

faiss was chosen by measurement (benchmarks/retrieval.py, reports/benchmarks.md): it installs
as a binary wheel here, and its HNSW index kept recall@10 at 0.996 with 0.3 ms a query at 1M
songs on 2 cores. hnswlib has no wheel for this platform (a C++ build); pynndescent (numba)
had not finished its first 100k-song index after 2.5 minutes, where faiss took 16-19 s.
"""

from dataclasses import dataclass
from pathlib import Path

from songspace.errors import SongspaceError

import numpy as np
from sklearn.neighbors import NearestNeighbors

METRICS = ("euclidean", "cosine")
HNSW_M = 32                 # links per node: recall 0.999 at ef 64 on 16-d vectors (100k)
HNSW_EF_CONSTRUCTION = 100
HNSW_EF_SEARCH = 64         # candidates kept per query; raised to k + 1 when k is larger


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
    _search: object  # NearestNeighbors (exact) or a faiss index (approximate)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(distances, song indices) of the ``k`` nearest songs to each query, nearest first.
        Distances are euclidean, or cosine distance (1 - cos) for the cosine metric."""
        if self.kind == "exact":
            distances, found = self._search.kneighbors(np.asarray(queries, np.float64), k)
            return distances, found
        self._search.hnsw.efSearch = max(HNSW_EF_SEARCH, k + 1)
        squared, found = self._search.search(_vectors(queries, self.metric), k)
        squared = np.maximum(squared.astype(np.float64), 0)
        return (squared / 2 if self.metric == "cosine" else np.sqrt(squared)), found

    def save(self, path: Path) -> None:
        """Write an approximate index (an exact one is just the latents: nothing to save)."""
        import faiss

        faiss.write_index(self._search, str(path))

    def __getstate__(self) -> dict:
        """Picklable (from a worker process): a faiss index travels as its serialised bytes."""
        state = dict(self.__dict__)
        if self.kind == "approximate":
            import faiss

            state["_search"] = faiss.serialize_index(self._search)
        return state

    def __setstate__(self, state: dict) -> None:
        if state["kind"] == "approximate":
            import faiss

            state["_search"] = faiss.deserialize_index(state["_search"])
        self.__dict__.update(state)


def build(latents: np.ndarray, metric: str, exact_max: int, threads: int = 1) -> Index:
    """Exact search up to ``exact_max`` songs, an HNSW index above.

    The HNSW graph is built on one thread: faiss inserts in parallel in a racy order, so
    more threads would give a different graph, and different figures, on every run.
    """
    if metric not in METRICS:
        raise SongspaceError(f"retrieval.metric = {metric!r}; expected one of {', '.join(METRICS)}")
    n_songs = len(latents)
    if n_songs <= exact_max:
        search = NearestNeighbors(metric=metric, algorithm="brute", n_jobs=threads)
        return Index("exact", metric, n_songs, search.fit(np.asarray(latents, np.float64)))
    import faiss

    faiss.omp_set_num_threads(1)
    vectors = _vectors(latents, metric)
    index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.add(vectors)
    faiss.omp_set_num_threads(threads)
    return Index("approximate", metric, n_songs, index)


def load(path: Path, metric: str) -> Index:
    """An approximate index written by ``Index.save``."""
    import faiss

    index = faiss.read_index(str(path))
    return Index("approximate", metric, index.ntotal, index)


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
