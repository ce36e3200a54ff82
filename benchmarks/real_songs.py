"""What the pipeline finds on real songs: every method and baseline on a real MSD source.

    python benchmarks/real_songs.py ../shared/msd/dev [--out reports/real_songs.md]
    python benchmarks/real_songs.py /path/to/MillionSongSubset [--set train.seeds=[0]]

Runs `dvc repro` with ``data.source`` = SOURCE and ``data.task: all`` in a scratch copy
(never in this workspace), then again with ``mask_genre_terms: true`` in every block that
has it (only the HybridVAE's stages rerun), and writes the results table of both runs,
with the command that made it and the number of songs. Not part of `dvc repro`: the default data is
synthetic, with planted genres that real songs may not have, so a model is judged on both.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from songspace.evaluation import methods
from songspace.evaluation.report import cell

import yaml
from common import ROOT, dotted_overrides, machine, make_project, timed_dvc

COLUMNS = (("knn_accuracy", "k-NN accuracy"), ("nmi", "NMI"), ("ari", "ARI"),
           ("purity", "Purity"), ("silhouette", "Silhouette"))


def read_run(project: Path) -> dict:
    """Each method's cluster and retrieval metrics, and the data counts, of one run."""
    run = {"data": json.loads((project / "metrics/data.json").read_text()),
           "genres": json.loads((project / "metrics/genres.json").read_text())}
    run["methods"] = list(yaml.safe_load((project / "params.yaml").read_text())["methods"])
    for method in run["methods"]:
        run[method] = json.loads((project / f"metrics/cluster/{method}.json").read_text())
        retrieval = project / f"metrics/retrieval/{method}.json"
        if retrieval.exists():
            run[method]["retrieval"] = json.loads(retrieval.read_text())
    return run


def row(name: str, result: dict) -> str:
    cells = [cell(result[key]) for key, _ in COLUMNS]
    similar = result.get("retrieval", {}).get("similar_artist_rate")
    return f"| {name} | " + " | ".join([*cells, cell(similar)]) + " |"


def render(command: str, source: str, plain: dict, masked: dict, where: str) -> str:
    first = plain[methods.LINEAR]
    genres = plain["genres"]
    text_knn = plain[methods.TAGS]["knn_accuracy"]["mean"]
    lines = [
        "# Results on real songs",
        "",
        f"*Written by `{command}`; rerun it to refresh. {where}*",
        "",
        f"Source `{source}` with `data.task: all`: {plain['data']['found']} songs found, "
        f"{plain['data']['selected']} used ({plain['data']['skipped']} skipped, see "
        f"data/subset/skipped.csv in the scratch copy), {first['n_labelled']} with a derived "
        f"genre; majority genre {genres['majority_genre']} "
        f"({genres['majority_share']:.1%} of labelled songs). Every cell is mean ± std over "
        f"{first['n_seeds']} runs, evaluated exactly as the default pipeline does "
        "(artist-filtered k-NN folds, K-Means with k = "
        f"{first['k']}); the similar-artist rate is the share of each song's nearest "
        "neighbours whose artist the MSD lists as similar to the song's own.",
        "",
        "| Method | " + " | ".join(t for _, t in COLUMNS) + " | Similar-artist rate |",
        "|---|" + "---:|" * (len(COLUMNS) + 1),
    ]
    names = plain["methods"]
    tagged = [m for m in names if methods.reads_tags(m)]
    for method in names:
        lines.append(row(methods.title(method), plain[method]))
    for method in tagged:
        lines.append(row(f"{methods.title(method)}, genre words masked", masked[method]))
    majority = first["baseline"]["majority_knn_accuracy"]
    chance = cell(first["retrieval"]["random"]["similar_artist_rate"])
    lines.append(f"| *Majority class; random neighbours* | {majority:.3f} | 0 | 0 | "
                 f"{first['baseline']['majority_purity']:.3f} | — | {chance} |")
    pca = plain[methods.LINEAR]["knn_accuracy"]["mean"]
    lines += ["", "## What to read in it", ""]
    for method in tagged:
        name = methods.title(method)
        knn = plain[method]["knn_accuracy"]["mean"]
        knn_masked = masked[method]["knn_accuracy"]["mean"]
        lines += [
            f"- {name} (tags in) k-NN accuracy {knn:.3f} = {knn / text_knn:.2f} x the "
            f"tags-alone baseline's {text_knn:.3f}.",
            f"- {name} with the genre words masked: {knn_masked:.3f} against audio-only "
            f"PCA's {pca:.3f}: it {'beats' if knn_masked > pca else 'does not beat'} PCA."]
    lines.append(
        f"- Audio-only methods against the majority class ({majority:.3f}): "
        + ", ".join(f"{methods.title(m)} {plain[m]['knn_accuracy']['mean']:.3f}"
                    for m in (*methods.learned(names), methods.LINEAR, methods.RAW)
                    if m not in tagged) + ".")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="real MSD source: directory, .h5 or .tar.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "real_songs.md")
    parser.add_argument("--scratch", default=None, help="directory for the scratch copy")
    parser.add_argument("--set", nargs="+", default=[], metavar="KEY=VALUE",
                        help="more params changes (dotted keys)")
    args = parser.parse_args()
    source = args.source.resolve()
    overrides = dotted_overrides([f"data.source={source}", "data.task=all", *args.set])
    with tempfile.TemporaryDirectory(dir=args.scratch, prefix="songspace-real-") as scratch:
        project = make_project(Path(scratch) / "project", overrides)
        runs = []
        for masked in (False, True):
            if masked:  # only the HybridVAE's stages and the report rerun
                params = project / "params.yaml"
                params.write_text(params.read_text().replace("mask_genre_terms: false",
                                                             "mask_genre_terms: true"))
            timed = timed_dvc(project, "repro")
            print(timed.output[-2000:])
            if timed.returncode != 0:
                print(f"dvc repro failed ({timed.returncode})", file=sys.stderr)
                return 1
            print(f"dvc repro{' with the mask' if masked else ''}: {timed.seconds:.0f} s")
            runs.append(read_run(project))
    shown = [f"python benchmarks/real_songs.py {args.source}",
             *(f"--set {pair}" for pair in args.set)]
    text = render(" ".join(shown), str(args.source), runs[0], runs[1],
                  f"Measured on {machine()}.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
