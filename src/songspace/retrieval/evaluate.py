"""One method over its runs: each song's nearest neighbours in its latent space, scored
beside random neighbours of the same number, and the spread over training seeds.

The neighbours the figures read are exact (scikit-learn, brute force). Above
retrieval.max_queries songs they are found for a seeded sample of that many query songs
(the same for every run and method), among all songs: the all-songs join grows with N
squared, a fixed number of queries linearly. A latent file several runs read (the
deterministic baselines) is searched once. Above retrieval.exact_max songs the first run's
HNSW graphs (search.py) are built too, for `songspace similar`, once, not per run. Each
search and each graph is a task of its own, on every core.
"""

from songspace.evaluation import methods
from songspace.evaluation.evaluate import mean_std
from songspace.parallel import map_batches, resolve_workers
from songspace.retrieval import search
from songspace.retrieval.figures import FIGURES, SongFacts, figures, queries

import numpy as np
from threadpoolctl import threadpool_limits

# methods.run_seed stream of the random neighbours (issue 12), clear of methods' 0-7.
RANDOM_NEIGHBOURS = 12

# What every task reads, set before the workers fork so they inherit it.
_SHARED: tuple | None = None


def spread_note(method: str) -> str:
    """What the std over runs measures, written into the metrics JSON."""
    if methods.single_latent(method):
        return ("random neighbours only: one deterministic latent file, so its neighbours "
                "are the same in every run")
    return "training: one model per train.seeds entry"


def query_rows(n_songs: int, max_queries: int, seed: int) -> np.ndarray | None:
    """The songs whose neighbours the figures read: a seeded sample of ``max_queries``, or
    None (every song) when there are no more."""
    return methods.seeded_sample(np.arange(n_songs), max_queries, seed, methods.QUERY_SAMPLE)


def exact_neighbours(latents: np.ndarray, k: int, metric: str,
                     rows: np.ndarray | None = None) -> np.ndarray:
    """Each query song's ``k`` nearest other songs among all songs, by exact search (one
    BLAS thread: more gain nothing beside the other tasks on 2 cores, and the figures are the
    same)."""
    with threadpool_limits(1):
        exact = search.build(latents, metric, exact_max=len(latents))
        return search.neighbours(exact, latents, k, rows)[1]


def run_figures(found: np.ndarray, n_songs: int, facts: SongFacts, params: dict, seed: int,
                train_seed: int, rows: np.ndarray | None = None) -> dict:
    """Figures of one run from its neighbours, and its random-neighbour figures
    (random_<figure>), over the query songs ``rows`` (every song when None)."""
    rng = np.random.default_rng(methods.run_seed(seed, train_seed, RANDOM_NEIGHBOURS))
    chance = figures(facts, search.random_neighbours(n_songs, params["k"], rng, rows), rows)
    return {**figures(facts, found, rows), **{f"random_{name}": v for name, v in chance.items()}}


def _run_tasks(tasks: list[tuple[str, int]]) -> list:
    """("search", i): the exact neighbours in the i-th distinct latent space; ("graph", s):
    the first space's HNSW graph of the songs from s on, as bytes."""
    spaces, params, rows = _SHARED
    done = []
    for kind, at in tasks:
        if kind == "search":
            done.append(exact_neighbours(spaces[at], params["k"], params["metric"], rows))
        else:
            graph = search.build_shard(spaces[0][at:at + search.HNSW_SHARD], params["metric"])
            done.append(search.shard_bytes(graph))
    return done


def evaluate_method(method: str, runs: list[tuple[int, np.ndarray]], facts: SongFacts,
                    params: dict, seed: int) -> tuple[dict, search.Index]:
    """Metrics JSON for one method, and the first run's index (the one `songspace similar`
    searches). ``params`` is params.yaml's ``retrieval`` section."""
    global _SHARED
    n_songs = len(facts.artist)
    rows = query_rows(n_songs, params["max_queries"], seed)
    spaces: list[np.ndarray] = []  # each distinct latent array once, the first run's first
    for _, latents in runs:
        if not any(latents is space for space in spaces):
            spaces.append(latents)
    graphs = (list(search.shard_starts(n_songs)) if n_songs > params["exact_max"] else [])
    # the searches first: the longest tasks, so the graphs fill the cores' last gaps
    tasks = [("search", i) for i in range(len(spaces))] + [("graph", at) for at in graphs]
    _SHARED = (spaces, params, rows)
    try:
        done = list(map_batches(_run_tasks, tasks, batch_size=1,
                                workers=min(resolve_workers(0), len(tasks))))
    finally:
        _SHARED = None
    found = done[:len(spaces)]
    index = (search.from_shards(done[len(spaces):], params["metric"]) if graphs
             else search.build(spaces[0], params["metric"], params["exact_max"]))
    per_seed = {}
    for train_seed, latents in runs:
        space = next(i for i, s in enumerate(spaces) if s is latents)
        per_seed[f"seed_{train_seed}"] = run_figures(found[space], n_songs, facts, params, seed,
                                                     train_seed, rows)
    asked = queries(facts)
    at = slice(None) if rows is None else rows
    result = {
        "method": method,
        "n_songs": n_songs,
        "n_seeds": len(runs),
        "latent_dim": int(runs[0][1].shape[1]),
        "k": params["k"],
        "metric": params["metric"],
        "search": "exact",
        "query_songs": n_songs if rows is None else len(rows),
        "spread": spread_note(method),
        "queries": {name: int(asked[name][at].sum()) for name in FIGURES},
        **{name: mean_std([run[name] for run in per_seed.values()]) for name in FIGURES},
        "random": {name: mean_std([run[f"random_{name}"] for run in per_seed.values()])
                   for name in FIGURES},
        "seeds": per_seed,
    }
    return result, index
