"""Stage report: reports/results.md and metrics/summary.json from the metrics files only,
metrics/headline.json (the only declared DVC metrics: what `dvc exp show` compares), the
class-imbalance picture the report opens its pictures with, and the curves of every method
in one file each (plots/training_curves.csv, plots/explained_variance.csv), so that
`dvc plots show` draws one chart per quantity with every method in its own colour.

Every method is one of params.yaml's ``methods``, in its order; its files are read from the
folders the per-method stages write (dvc.yaml declares the folders as this stage's deps).
"""

from pathlib import Path

from songspace.errors import SongspaceError
from songspace.evaluation import methods
from songspace.evaluation.pictures import class_imbalance
from songspace.evaluation.report import headline, render, summary
from songspace.io import read_json, write_json, write_text
from songspace.models.spec import listed
from songspace.params import load_params
from songspace.stage import run_stage
from songspace.training import outputs

METRICS_DIR = Path("metrics/cluster")
RETRIEVAL_DIR = Path("metrics/retrieval")
GENRES = Path("metrics/genres.json")
REPORT = Path("reports/results.md")
SUMMARY = Path("metrics/summary.json")
HEADLINE = Path("metrics/headline.json")
IMBALANCE = Path("plots/genres/class_imbalance.png")
TRAINING_CURVES = Path("plots/training_curves.csv")
VARIANCE_CURVES = Path("plots/explained_variance.csv")


def read_every_method(directory: Path, stage: str, names: list[str]) -> dict[str, dict]:
    """Each method's <method>.json in ``directory``; a missing one names the stage to run."""
    found = {}
    for method in names:
        path = directory / f"{method}.json"
        if not path.exists():
            raise SongspaceError(f"{path} not found; run `dvc repro {stage}@{method}`")
        found[method] = read_json(path)
    return found


def main() -> None:
    params = load_params()
    names = listed(params)
    results = read_every_method(METRICS_DIR, "cluster_eval", names)
    retrieval = read_every_method(RETRIEVAL_DIR, "retrieval_eval", names)
    genres = read_json(GENRES)
    class_imbalance(IMBALANCE, genres["counts"], genres["unlabelled"], genres["majority_share"])
    neural = [m for m in names if not methods.single_latent(m)]
    write_text(TRAINING_CURVES, outputs.combined_curves(neural, methods.title))
    write_text(VARIANCE_CURVES, outputs.combined_curves(
        [m for m in names if methods.single_latent(m)], methods.title))

    pictures = {"Derived genres": [("class imbalance", IMBALANCE)]}
    for method in names:
        name = methods.title(method)
        pictures[name] = [(f"{name} t-SNE", Path("plots/tsne") / f"{method}.png"),
                          (f"{name} cluster make-up", Path("plots/clusters") / f"{method}.png")]
    masks = {m: bool(params["model"][m].get("mask_genre_terms", False))
             for m in names if methods.reads_tags(m)}
    facts = summary(results, genres)
    write_json(SUMMARY, facts)
    write_json(HEADLINE, headline(results, retrieval))
    write_text(REPORT, render(results, genres, facts, masks, pictures, REPORT, retrieval))
    print(f"report: {REPORT}, {SUMMARY} and {HEADLINE} for {len(results)} methods")


if __name__ == "__main__":
    run_stage(main)
