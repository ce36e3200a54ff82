"""One method over its runs: each song's nearest neighbours in its latent space, scored
beside random neighbours of the same number, and the spread over training seeds."""

from songspace.evaluation import methods
from songspace.evaluation.evaluate import mean_std
from songspace.retrieval import search
from songspace.retrieval.figures import FIGURES, SongFacts, figures, queries

import numpy as np
from threadpoolctl import threadpool_limits

# methods.run_seed stream of the random neighbours (issue 12), clear of methods' 0-4.
RANDOM_NEIGHBOURS = 12


def spread_note(method: str) -> str:
    """What the std over runs measures, written into the metrics JSON."""
    if method in methods.SINGLE_LATENT:
        return ("random neighbours only: one deterministic latent file, so its neighbours "
                "are the same in every run")
    return "training: one model per train.seeds entry"


def evaluate_run(latents: np.ndarray, facts: SongFacts, params: dict, seed: int,
                 train_seed: int) -> tuple[dict, search.Index]:
    """Figures of one run, its random-neighbour figures (random_<figure>) and its index."""
    index = search.build(latents, params["metric"], params["exact_max"])
    _, found = search.neighbours(index, latents, params["k"])
    rng = np.random.default_rng(methods.run_seed(seed, train_seed, RANDOM_NEIGHBOURS))
    chance = figures(facts, search.random_neighbours(len(latents), params["k"], rng))
    return {**figures(facts, found), **{f"random_{name}": v for name, v in chance.items()}}, index


def evaluate_method(method: str, runs: list[tuple[int, np.ndarray]], facts: SongFacts,
                    params: dict, seed: int) -> tuple[dict, search.Index]:
    """Metrics JSON for one method, and the first run's index (the one `songspace similar`
    searches). ``params`` is params.yaml's ``retrieval`` section."""
    per_seed, first = {}, None
    for train_seed, latents in runs:
        # One BLAS thread: the brute-force distances of a few thousand songs gain nothing
        # from more on 2 shared cores, and the figures are the same.
        with threadpool_limits(1):
            scores, index = evaluate_run(latents, facts, params, seed, train_seed)
        per_seed[f"seed_{train_seed}"] = scores
        first = first or index
    asked = queries(facts)
    result = {
        "method": method,
        "n_songs": len(facts.artist),
        "n_seeds": len(runs),
        "latent_dim": int(runs[0][1].shape[1]),
        "k": params["k"],
        "metric": params["metric"],
        "search": first.kind,
        "spread": spread_note(method),
        "queries": {name: int(asked[name].sum()) for name in FIGURES},
        **{name: mean_std([run[name] for run in per_seed.values()]) for name in FIGURES},
        "random": {name: mean_std([run[f"random_{name}"] for run in per_seed.values()])
                   for name in FIGURES},
        "seeds": per_seed,
    }
    return result, first
