"""reports/results.md and metrics/summary.json, written only from the metrics files.

Every number in the report comes from metrics/cluster/<method>.json,
metrics/retrieval/<method>.json and metrics/genres.json, so the report can always be
regenerated and never drifts.
"""

import os
from pathlib import Path

from songspace.evaluation import methods

TABLE = (("silhouette", "Silhouette"), ("nmi", "NMI"), ("ari", "ARI"), ("ami", "AMI"),
         ("purity", "Purity"), ("knn_accuracy", "k-NN accuracy"))
COMPARED = (("nmi", "NMI"), ("knn_accuracy", "k-NN accuracy"))
SUMMARY_METRICS = (*(name for name, _ in TABLE), "knn_macro_f1")
HEADLINE = ("nmi", "ari", "knn_accuracy", "silhouette")  # + similar_artist_rate
DASH = "—"


def versus(result: dict, reference: dict, metric: str) -> dict:
    """Difference of means against the reference, and whether it exceeds the seed spread
    (the two stds added: the mean ± std intervals do not overlap)."""
    diff = result[metric]["mean"] - reference[metric]["mean"]
    spread = result[metric]["std"] + reference[metric]["std"]
    verdict = "better" if diff > spread else "worse" if diff < -spread else "within spread"
    return {"difference": diff, "spread": spread, "beats": diff > spread, "verdict": verdict}


def random_baseline(results: dict[str, dict]) -> dict[str, dict]:
    """Random-clustering scores averaged over methods (each used its own cluster sizes)."""
    rows = [r["baseline"] for r in results.values()]
    return {name: {stat: sum(row[f"random_{name}"][stat] for row in rows) / len(rows)
                   for stat in ("mean", "std")} for name in methods.LABEL_METRICS}


def summary(results: dict[str, dict], genres: dict) -> dict:
    """metrics/summary.json: every method's means and stds, baselines, and each learned
    method's verdicts against its baselines (methods.baselines_for)."""
    first = next(iter(results.values()))
    return {
        "n_songs": first["n_songs"],
        "n_labelled": first["n_labelled"],
        "n_seeds": first["n_seeds"],
        "k": first["k"],
        "knn_folds": min(run["knn_folds"] for r in results.values()
                         for run in r["seeds"].values()),
        "majority_genre": genres["majority_genre"],
        "methods": {m: {name: r[name] for name in SUMMARY_METRICS} for m, r in results.items()},
        "baseline": {
            "majority": {"purity": first["baseline"]["majority_purity"],
                         "knn_accuracy": first["baseline"]["majority_knn_accuracy"],
                         "knn_macro_f1": first["baseline"]["majority_knn_macro_f1"]},
            "random": random_baseline(results),
        },
        "vs_baselines": {
            m: {b: {name: versus(r, results[b], name) for name, _ in COMPARED}
                for b in methods.baselines_for(m) if b in results}
            for m, r in results.items() if methods.baselines_for(m)},
    }


def headline(results: dict[str, dict], retrieval: dict[str, dict]) -> dict:
    """metrics/headline.json, the only declared metrics: per method the mean of the scores a
    user compares across experiments, and the song counts. Rounded to 4 places, so
    `dvc metrics diff` does not list changes in the sixth decimal."""
    first = next(iter(results.values()))
    out: dict = {"songs": first["n_songs"], "labelled": first["n_labelled"]}
    for method, result in results.items():
        scores = {name: result[name]["mean"] for name in HEADLINE}
        if method in retrieval:
            scores["similar_artist_rate"] = retrieval[method]["similar_artist_rate"]["mean"]
        out[method] = {k: None if v is None else round(v, 4) for k, v in scores.items()}
    return out


def cell(value: dict | float | None) -> str:
    """A metric for a table: "mean ± std" for a spread, 3 decimals, a dash for none."""
    if isinstance(value, dict):
        if value["mean"] is None:
            return DASH
        return f"{value['mean']:.3f} ± {value['std']:.3f}"
    return DASH if value is None else f"{value:.3f}"


def _table(results: dict[str, dict], facts: dict) -> list[str]:
    lines = ["| Method | " + " | ".join(title for _, title in TABLE) + " |",
             "|---|" + "---:|" * len(TABLE)]
    for method, result in results.items():
        cells = [cell(result[name]) for name, _ in TABLE]
        lines.append(f"| {methods.title(method)} | " + " | ".join(cells) + " |")
    majority = facts["baseline"]["majority"]
    lines.append("| *Majority class (baseline)* | " + " | ".join(
        [DASH, "0", "0", "0", cell(majority["purity"]), cell(majority["knn_accuracy"])]) + " |")
    chance = facts["baseline"]["random"]
    lines.append("| *Random clusters, same sizes (baseline)* | " + " | ".join(
        [DASH, *[cell(chance[name]) for name in methods.LABEL_METRICS], DASH]) + " |")
    return lines


def _against_baselines(results: dict[str, dict], facts: dict) -> list[str]:
    lines = []
    for method, against in facts["vs_baselines"].items():
        name = methods.title(method)
        for baseline, comparison in against.items():
            parts, beaten = [], []
            for metric, title in COMPARED:
                c = comparison[metric]
                gap = abs(c["difference"])
                how = {"better": f"higher by {gap:.3f}, more than the seed spread",
                       "worse": f"lower by {gap:.3f}, more than the seed spread",
                       "within spread": f"a gap of {gap:.3f}, within the seed spread"
                       }[c["verdict"]]
                parts.append(f"{title} {cell(results[method][metric])} vs "
                             f"{cell(results[baseline][metric])}: {how} ({c['spread']:.3f})")
                if c["beats"]:
                    beaten.append(title)
            versus_name = methods.title(baseline)
            if len(beaten) == len(COMPARED):
                verdict = f"beats {versus_name} on " + " and ".join(beaten)
            elif beaten:
                verdict = f"beats {versus_name} on {beaten[0]} only"
            else:
                verdict = f"does not beat {versus_name}"
            lines.append(f"- **{name}** {verdict}. " + "; ".join(parts) + ".")
    return lines or ["No baseline was evaluated, so no method is compared with one."]


def _bounds_note(results: dict[str, dict]) -> list[str]:
    """Where a figure was measured on a seeded sample (cluster.silhouette_max,
    cluster.knn_max), one sentence each; nothing when every song was used."""
    first = next(iter(results.values()))
    notes = []
    if first["silhouette_songs"] < first["n_songs"]:
        notes.append(f"Silhouette is measured on a seeded sample of "
                     f"{first['silhouette_songs']:,} of the {first['n_songs']:,} songs per run "
                     "(`cluster.silhouette_max`).")
    if first.get("knn_songs", first["n_labelled"]) < first["n_labelled"]:
        notes.append(f"The k-NN probe runs on a seeded sample of {first['knn_songs']:,} of "
                     f"the {first['n_labelled']:,} labelled songs, the same songs for every "
                     "method and run (`cluster.knn_max`).")
    return ["", " ".join(notes)] if notes else []


def _tags_notes(masks: dict[str, bool]) -> list[str]:
    """One note per learned method that reads the tags: ``masks`` maps each to its block's
    mask_genre_terms."""
    return [line for method, masked in masks.items()
            for line in (_tags_note(method, masked), "")]


def _tags_note(method: str, mask_genre_terms: bool) -> str:
    name, key = methods.title(method), f"model.{method}.mask_genre_terms"
    text = (f"**{name} and the labels.** Besides audio, the {name} reads the TF-IDF of each "
            "song's artist_terms: the very tags the genre labels are derived from "
            "(src/songspace/genres.py). ")
    if mask_genre_terms:
        return text + (f"`{key}` is true for these numbers: the words "
                       "naming the kept genres were removed from its text input. The other "
                       "tags (related styles, eras, places) still correlate with genre, so "
                       "read its scores as an upper bound of what audio alone would give.")
    return text + (f"`{key}` is false for these numbers: the genre words "
                   "are in its input, so its label metrics are partly circular. For a fair "
                   f"comparison run `dvc exp run -S {key}=true`.")


RETRIEVAL = (("similar_artist_rate", "Similar-artist hit rate"),
             ("same_artist_rate", "Same-artist rate"), ("same_genre_rate", "Same-genre rate"))


def _average(cells: list[dict]) -> dict:
    """Mean of mean ± std cells (random neighbours do not depend on the method: one row)."""
    if any(cell["mean"] is None for cell in cells):
        return {"mean": None, "std": None}
    return {stat: sum(cell[stat] for cell in cells) / len(cells) for stat in ("mean", "std")}


def _similar_songs(retrieval: dict[str, dict] | None) -> list[str]:
    """The "Similar songs" section from metrics/retrieval/<method>.json (none: left out)."""
    if not retrieval:
        return []
    first = next(iter(retrieval.values()))
    k, queries = first["k"], first["queries"]
    sampled = ""
    if first.get("query_songs", first["n_songs"]) < first["n_songs"]:
        sampled = (f" Measured on a seeded sample of {first['query_songs']:,} of the "
                   f"{first['n_songs']:,} songs as queries, the same for every method and run "
                   "(`retrieval.max_queries`); their neighbours are searched among all songs.")
    lines = ["## Similar songs", "",
             f"Each song's {k} nearest neighbours ({first['metric']}, itself excluded) in each "
             f"latent space, {first['search']} search; mean ± std over runs. *Similar-artist "
             "hit rate*: share of neighbours whose artist is in the song's own "
             f"`similar_artists` list, the MSD's artist-similarity graph "
             f"({queries['similar_artist_rate']} songs with a list). *Same-artist rate*: share "
             f"by the song's own artist ({queries['same_artist_rate']} songs whose artist has "
             f"at least 2 here). *Same-genre rate*: share of its derived genre "
             f"({queries['same_genre_rate']} labelled songs; unlabelled neighbours count as "
             "misses). Read each against *random neighbours*: the same number of songs drawn "
             f"at random.{sampled}", "",
             f"| Method | {' | '.join(f'{title}@{k}' for _, title in RETRIEVAL)} |",
             "|---|" + "---:|" * len(RETRIEVAL)]
    for method, result in retrieval.items():
        lines.append(f"| {methods.title(method)} | "
                     + " | ".join(cell(result[name]) for name, _ in RETRIEVAL) + " |")
    chance = {name: _average([r["random"][name] for r in retrieval.values()])
              for name, _ in RETRIEVAL}
    lines.append("| *Random neighbours (baseline)* | "
                 + " | ".join(cell(chance[name]) for name, _ in RETRIEVAL) + " |")
    return lines + [""]


def _genres(genres: dict) -> list[str]:
    labelled = max(genres["labelled"], 1)
    lines = ["| Genre | Songs | Share of labelled |", "|---|---:|---:|"]
    for genre, count in genres["counts"].items():
        lines.append(f"| {genre} | {count} | {count / labelled:.1%} |")
    lines.append(f"| *(unlabelled, left out of label metrics)* | {genres['unlabelled']} | "
                 f"{DASH} |")
    return lines


def _link(picture: Path, report: Path) -> str:
    return Path(os.path.relpath(picture, report.parent)).as_posix()


def render(results: dict[str, dict], genres: dict, facts: dict, masks: dict[str, bool],
           pictures: dict[str, list[tuple[str, Path]]], report: Path,
           retrieval: dict[str, dict] | None = None) -> str:
    """The markdown report. ``masks`` maps each learned method that reads the tags to its
    mask_genre_terms; ``pictures`` a heading to (caption, path) pairs; ``retrieval`` the
    metrics/retrieval/<method>.json results."""
    n_seeds = facts["n_seeds"]
    lines = [
        "# Results: genre structure in each representation",
        "",
        "*Written by the `report` stage from metrics/cluster/\\*.json, metrics/retrieval/\\*.json "
        "and metrics/genres.json; do not edit by hand, run `dvc repro`.*",
        "",
        f"{facts['n_songs']} songs, {facts['n_labelled']} with a derived genre. K-Means with "
        f"k = {facts['k']} on each latent space; every cell is mean ± sample std over "
        f"{n_seeds} runs (one per training seed; the baselines PCA, raw statistics and tags "
        "are deterministic, so their spread is K-Means and CV-split randomness only).",
        "",
        *_table(results, facts),
        "",
        "How to read it: silhouette is measured in the latent space and ignores genres. NMI, "
        "ARI, AMI and purity compare the clusters with the derived genres on labelled songs "
        "only; ARI and AMI are 0 for chance. Purity is never below the majority-class share "
        "for a single cluster, so read it against the *majority class* row, and every label "
        "metric against the *random clusters* row (the same cluster sizes shuffled over the "
        "songs; averaged over methods, each method's own is in its JSON). k-NN accuracy is a "
        f"{facts['knn_folds']}-fold cross-validated genre classifier on the latent vectors: "
        "the stronger test of whether genre is there at all; compare it with the "
        "majority-class accuracy. Its folds are artist-filtered (no artist has songs on "
        "both sides), because songs by one artist share sound and tags.",
        *_bounds_note(results),
        "",
        "## k-NN genre probe",
        "",
        "Artist-filtered folds (the honest figure) beside folds that may split an artist's "
        "songs: the gap is how much of the probe's accuracy comes from recognising the "
        "artist rather than the genre.",
        "",
        "| Method | k-NN accuracy | k-NN macro-F1 | accuracy, same artist allowed |",
        "|---|---:|---:|---:|",
        *[f"| {methods.title(m)} | {cell(r['knn_accuracy'])} | "
          f"{cell(r['knn_macro_f1'])} | {cell(r.get('knn_accuracy_same_artist'))} |"
          for m, r in results.items()],
        f"| *Majority class (baseline)* | {cell(facts['baseline']['majority']['knn_accuracy'])}"
        f" | {cell(facts['baseline']['majority']['knn_macro_f1'])} | "
        f"{cell(facts['baseline']['majority']['knn_accuracy'])} |",
        "",
        "## Against the baselines",
        "",
        "Every learned method against what no learning gives (the raw z-scored statistics) "
        "and a linear reduction of them (PCA); the HybridVAE, which reads the tags, also "
        "against the tags alone. A method beats a baseline when its mean exceeds the "
        "baseline's by more than the two stds added (the seed spread).",
        "",
        *_against_baselines(results, facts),
        "",
        *_tags_notes(masks),
        *_similar_songs(retrieval),
        "## Genres",
        "",
        f"Majority genre: {genres['majority_genre']} ({genres['majority_share']:.1%} of "
        "labelled songs).",
        "",
        *_genres(genres),
        "",
        "## Pictures",
        "",
        "`dvc plots show` renders these with the interactive t-SNE scatters and training curves.",
    ]
    for heading, items in pictures.items():
        lines += ["", f"### {heading}", ""]
        lines += [f"![{caption}]({_link(path, report)})" for caption, path in items]
    return "\n".join(lines) + "\n"
