"""One method over its runs: each song's nearest neighbours in its latent space, scored
beside random neighbours of the same number, and the spread over training seeds.

The neighbours the figures read are exact (scikit-learn, brute force). Above
retrieval.max_queries songs they are found for a seeded sample of that many query songs
(the same for every run and method), among all songs: the all-songs join grows with N
squared, a fixed number of queries linearly. Above retrieval.exact_max songs the first
run's HNSW index (faiss) is built as well, for `songspace similar`: once, not per run.
The runs and the index build are tasks of their own, on every core.
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
    if method in methods.SINGLE_LATENT:
        return ("random neighbours only: one deterministic latent file, so its neighbours "
                "are the same in every run")
    return "training: one model per train.seeds entry"


def query_rows(n_songs: int, max_queries: int, seed: int) -> np.ndarray | None:
    """The songs whose neighbours the figures read: a seeded sample of ``max_queries``, or
    None (every song) when there are no more."""
    return methods.seeded_sample(np.arange(n_songs), max_queries, seed, methods.QUERY_SAMPLE)


def evaluate_run(latents: np.ndarray, facts: SongFacts, params: dict, seed: int,
                 train_seed: int, rows: np.ndarray | None = None) -> dict:
    """Figures of one run and its random-neighbour figures (random_<figure>), over the
    query songs ``rows`` (every song when None)."""
    exact = search.build(latents, params["metric"], exact_max=len(latents))
    _, found = search.neighbours(exact, latents, params["k"], rows)
    rng = np.random.default_rng(methods.run_seed(seed, train_seed, RANDOM_NEIGHBOURS))
    chance = figures(facts, search.random_neighbours(len(latents), params["k"], rng, rows),
                     rows)
    return {**figures(facts, found, rows), **{f"random_{name}": v for name, v in chance.items()}}


def _run_tasks(tasks: list[int | None]) -> list:
    """A run's figures (its index in the runs), or the first run's approximate index (None)."""
    runs, facts, params, seed, rows = _SHARED
    done = []
    for task in tasks:
        # One BLAS thread: the brute-force distances gain nothing from more on 2 shared cores
        # beside the other task, and the figures are the same.
        with threadpool_limits(1):
            if task is None:
                done.append(search.build(runs[0][1], params["metric"], params["exact_max"]))
            else:
                train_seed, latents = runs[task]
                done.append(evaluate_run(latents, facts, params, seed, train_seed, rows))
    return done


def evaluate_method(method: str, runs: list[tuple[int, np.ndarray]], facts: SongFacts,
                    params: dict, seed: int) -> tuple[dict, search.Index]:
    """Metrics JSON for one method, and the first run's index (the one `songspace similar`
    searches). ``params`` is params.yaml's ``retrieval`` section."""
    global _SHARED
    n_songs = len(facts.artist)
    rows = query_rows(n_songs, params["max_queries"], seed)
    approximate = n_songs > params["exact_max"]
    tasks: list[int | None] = ([None] if approximate else []) + list(range(len(runs)))
    _SHARED = (runs, facts, params, seed, rows)
    try:
        done = list(map_batches(_run_tasks, tasks, batch_size=1,
                                workers=min(resolve_workers(0), len(tasks))))
    finally:
        _SHARED = None
    index = done.pop(0) if approximate else search.build(runs[0][1], params["metric"],
                                                         params["exact_max"])
    per_seed = {f"seed_{train_seed}": scores for (train_seed, _), scores in zip(runs, done,
                                                                                strict=True)}
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
