"""Stage derive_genres: the ground-truth genres, by the rule in songspace.genres."""

import json
from pathlib import Path

from songspace.genres import derive_genres, label_summary
from songspace.io import atomic_path, write_json, write_text
from songspace.params import load_params
from songspace.stage import run_stage
from songspace.terms import load_terms

import pandas as pd

FEATURES = Path("data/features")
OUT_DIR = Path("data/labels")
METRICS = Path("metrics/genres.json")
PLOT = Path("plots/genres/class_counts.csv")


def main() -> None:
    params = load_params()["genres"]
    terms = load_terms(FEATURES)
    genres, labels = derive_genres(terms["terms"], terms["weights"], terms["freqs"],
                                   params["candidates"], params["n"])
    names = [genres[label] if label >= 0 else "" for label in labels]
    table = pd.DataFrame({"track_id": terms["track_id"], "genre": names, "label": labels})
    with atomic_path(OUT_DIR / "genres.csv") as tmp:
        table.to_csv(tmp, index=False)
    write_text(OUT_DIR / "classes.json", json.dumps({"genres": genres}, indent=2) + "\n")
    summary = label_summary(genres, labels)
    write_json(METRICS, summary)
    counts = pd.DataFrame({"genre": [*summary["counts"], "(unlabelled)"],
                           "songs": [*summary["counts"].values(), summary["unlabelled"]]})
    with atomic_path(PLOT) as tmp:
        counts.to_csv(tmp, index=False)
    print(f"derive_genres: {summary['labelled']} of {summary['songs']} songs labelled; "
          f"majority {summary['majority_genre']} {summary['majority_share']:.0%}")


if __name__ == "__main__":
    run_stage(main)
