"""Stage report: reports/results.md and metrics/summary.json from the metrics files only,
metrics/headline.json (the only declared DVC metrics: what `dvc exp show` compares), and
the class-imbalance picture the report opens its pictures with."""

from pathlib import Path

from songspace.cli import run_stage
from songspace.errors import SongspaceError
from songspace.evaluation import methods
from songspace.evaluation.pictures import class_imbalance
from songspace.evaluation.report import headline, render, summary
from songspace.io import read_json, write_json, write_text
from songspace.params import load_params

METRICS_DIR = Path("metrics/cluster")
RETRIEVAL_DIR = Path("metrics/retrieval")
GENRES = Path("metrics/genres.json")
REPORT = Path("reports/results.md")
SUMMARY = Path("metrics/summary.json")
HEADLINE = Path("metrics/headline.json")
IMBALANCE = Path("plots/genres/class_imbalance.png")


def read_every_method(directory: Path, stage: str) -> dict[str, dict]:
    """Each method's <method>.json in ``directory``; a missing one names the stage to run."""
    found = {}
    for method in methods.METHODS:
        path = directory / f"{method}.json"
        if not path.exists():
            raise SongspaceError(f"{path} not found; run `dvc repro {stage}@{method}`")
        found[method] = read_json(path)
    return found


def main() -> None:
    mask = load_params()["model"]["hybrid"]["mask_genre_terms"]
    results = read_every_method(METRICS_DIR, "cluster_eval")
    retrieval = read_every_method(RETRIEVAL_DIR, "retrieval_eval")
    genres = read_json(GENRES)
    class_imbalance(IMBALANCE, genres["counts"], genres["unlabelled"], genres["majority_share"])

    pictures = {"Derived genres": [("class imbalance", IMBALANCE)]}
    for method, name in methods.METHODS.items():
        pictures[name] = [(f"{name} t-SNE", Path("plots/tsne") / f"{method}.png"),
                          (f"{name} cluster make-up", Path("plots/clusters") / f"{method}.png")]
    facts = summary(results, genres)
    write_json(SUMMARY, facts)
    write_json(HEADLINE, headline(results, retrieval))
    write_text(REPORT, render(results, genres, facts, mask, pictures, REPORT, retrieval))
    print(f"report: {REPORT}, {SUMMARY} and {HEADLINE} for {len(results)} methods")


if __name__ == "__main__":
    run_stage(main)
