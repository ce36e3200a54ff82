"""Stage retrieval_eval (one per method): each song's nearest neighbours in each run's latent
space, scored against the MSD's similar artists, the artists and the derived genres, beside
random neighbours; writes the index `songspace similar` searches when it is approximate.

Usage: python stages/retrieval_eval.py <method>   (any method of evaluation/methods.py)
"""

from pathlib import Path

from songspace.evaluation.data import load_labels, load_runs, load_songs
from songspace.features.similar import read_similar
from songspace.io import write_json
from songspace.retrieval import index_files
from songspace.retrieval.evaluate import evaluate_method
from songspace.retrieval.figures import FIGURES, song_facts
from songspace.stage import method_and_params, run_stage

FEATURES_DIR = Path("data/features")
METRICS_DIR = Path("metrics/retrieval")


def main() -> None:
    method, params = method_and_params()
    labels, _, table = load_labels()
    track_ids = table["track_id"].tolist()
    load_songs(track_ids)  # the subset's order must be the labels' (one-line error if not)
    similar = read_similar(FEATURES_DIR, track_ids)
    facts = song_facts(similar["artist_id"], similar["similar_artists"], labels)
    del similar
    runs = load_runs(method, params["train"]["seeds"], len(labels))
    result, index = evaluate_method(method, runs, facts, params["retrieval"], params["seed"])
    index_files.write(method, index, runs[0][0])
    write_json(METRICS_DIR / f"{method}.json", result)
    print(f"retrieval_eval {method} ({result['search']} search, k = {result['k']}): "
          + ", ".join(f"{name.removesuffix('_rate').replace('_', '-')} "
                      f"{result[name]['mean']:.3f} (random {result['random'][name]['mean']:.3f})"
                      for name in FIGURES if result[name]["mean"] is not None))


if __name__ == "__main__":
    run_stage(main)
