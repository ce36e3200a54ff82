"""Evaluation: metric values on hand-computed cases, baselines, the stages end to end on a
planted synthetic set, and byte-identical metrics for the same params."""

import json
import runpy
import shutil
import sys
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.evaluation import evaluate, methods, pictures, report
from songspace.evaluation.baselines import majority, random_clusterings
from songspace.evaluation.evaluate import evaluate_method, mean_std
from songspace.evaluation.metrics import agreement, knn_probe, makeup, purity, silhouette
from songspace.features.similar import SimilarWriter
from songspace.genres import label_summary
from songspace.models.spec import method_from_args, spec

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import METHODS

ROOT = Path(__file__).resolve().parents[1]
GENRES = ["rock", "pop", "jazz", "metal"]
CLUSTER = {"k": 4, "n_init": 3, "algorithm": "kmeans", "silhouette_max": 10000, "knn_max": 50000,
           "knn_neighbors": 5, "cv_folds": 3, "random_repeats": 5}


def blobs(n: int = 240, noise: float = 0.6, seed: int = 0, unlabelled: float = 0.1):
    """(latents, labels): one well-separated blob per genre, some songs unlabelled."""
    rng = np.random.default_rng(seed)
    truth = np.arange(n) % len(GENRES)
    centers = rng.normal(0, 4, (len(GENRES), 8))
    latents = centers[truth] + rng.normal(0, noise, (n, 8))
    labels = np.where(rng.random(n) < unlabelled, -1, truth)
    return latents.astype(np.float32), labels


# --- metrics on hand-computed cases -------------------------------------------------------

def test_perfect_clustering_scores_one_whatever_the_cluster_ids():
    labels = np.array([0, 0, 1, 1, 2, 2])
    scores = agreement(labels, np.array([5, 5, 3, 3, 1, 1]))
    assert scores == pytest.approx({"nmi": 1.0, "ari": 1.0, "ami": 1.0, "purity": 1.0})


def test_purity_by_hand():
    # Clusters {0,0}, {0,1}, {1,2}: majority counts 2 + 1 + 1 of 6 songs.
    labels = np.array([0, 0, 0, 1, 1, 2])
    assert purity(labels, np.array([0, 0, 1, 1, 2, 2])) == pytest.approx(4 / 6)


def test_independent_clustering_scores_chance():
    rng = np.random.default_rng(1)
    labels = rng.choice(4, size=4000, p=[0.55, 0.25, 0.1, 0.1])
    scores = agreement(labels, rng.integers(0, 8, size=4000))
    assert abs(scores["ari"]) < 0.01 and abs(scores["ami"]) < 0.01
    # Purity of a random clustering sits near the majority share, not near 0.
    assert scores["purity"] == pytest.approx(0.55, abs=0.03)


def test_one_cluster_scores_the_majority_baseline():
    labels = np.array([0, 0, 0, 1, -1])
    trivial = majority(labels)
    assert trivial["purity"] == pytest.approx(0.75)
    assert trivial["knn_accuracy"] == pytest.approx(0.75)
    assert trivial["knn_macro_f1"] == pytest.approx(2 * 0.75 / 1.75 / 2)
    assert purity(labels, np.zeros(5, dtype=int)) == pytest.approx(trivial["purity"])
    assert agreement(labels, np.zeros(5, dtype=int))["nmi"] == 0.0


def test_random_baseline_keeps_cluster_sizes_and_scores_near_zero():
    latents, labels = blobs(400)
    clusters = np.arange(400) % 4
    values = random_clusterings(labels, clusters, repeats=10, seed=3)
    assert len(values["nmi"]) == 10
    assert abs(np.mean(values["ari"])) < 0.02
    assert np.mean(values["nmi"]) < 0.05


def test_unlabelled_songs_are_left_out_of_label_metrics():
    latents, labels = blobs(200, unlabelled=0.0)
    clusters = np.arange(200) % 4
    extra_latents = np.random.default_rng(2).normal(0, 9, (50, 8))
    more_labels = np.concatenate([labels, np.full(50, -1)])
    more_clusters = np.concatenate([clusters, np.zeros(50, dtype=int)])
    assert agreement(more_labels, more_clusters) == agreement(labels, clusters)
    assert (knn_probe(np.vstack([latents, extra_latents]), more_labels, 5, 3, seed=0)
            == knn_probe(latents, labels, 5, 3, seed=0))


def test_silhouette_is_exact_below_the_limit_and_sampled_above():
    latents, labels = blobs(300)
    clusters = np.arange(300) % 4
    exact = silhouette(latents, clusters, 1000, seed=0)
    assert exact == silhouette(latents, clusters, 1000, seed=99)
    sampled = silhouette(latents, clusters, 100, seed=0)
    assert sampled == silhouette(latents, clusters, 100, seed=0)
    assert sampled != exact
    assert silhouette(latents, np.zeros(300, dtype=int), 1000, seed=0) is None


def test_knn_probe_finds_planted_genres_and_caps_folds():
    latents, labels = blobs(200)
    probe = knn_probe(latents, labels, 5, 5, seed=0)
    assert probe["knn_accuracy"] > 0.95 and probe["knn_macro_f1"] > 0.95
    tiny = np.array([0, 0, 1, 1, 1, 1])
    assert knn_probe(np.arange(6.0)[:, None], tiny, 3, 5, seed=0)["knn_folds"] == 2
    with pytest.raises(SongspaceError):
        knn_probe(np.zeros((3, 2)), np.array([0, 1, 1]), 3, 5, seed=0)


def test_mean_std_uses_the_sample_std():
    assert mean_std([1.0, 2.0, 3.0]) == {"mean": 2.0, "std": 1.0}
    assert mean_std([0.5]) == {"mean": 0.5, "std": 0.0}


def test_makeup_counts_every_song_once():
    labels = np.array([0, 0, 1, -1, 1])
    table = makeup(labels, np.array([1, 1, 1, 0, 0]), ["rock", "pop"])
    assert table["songs"].sum() == 5
    assert table.iloc[0].tolist() == [1, "rock", 2]  # largest cluster first


def test_evaluate_method_beats_the_random_baseline_on_planted_blobs():
    latents, labels = blobs()
    runs = [(s, latents + np.random.default_rng(s).normal(0, 0.1, latents.shape))
            for s in (0, 1)]
    result, assignments = evaluate_method("ae", runs, labels, CLUSTER, seed=42)
    assert result["n_seeds"] == 2 and set(assignments) == {"seed_0", "seed_1"}
    assert result["n_labelled"] == int((labels >= 0).sum())
    for name in ("nmi", "ari", "ami", "purity"):
        chance = result["baseline"][f"random_{name}"]
        assert result[name]["mean"] > chance["mean"] + 3 * chance["std"] + 0.1
    assert result["purity"]["mean"] > result["baseline"]["majority_purity"]
    assert result["knn_accuracy"]["mean"] > result["baseline"]["majority_knn_accuracy"]


def test_runs_evaluated_in_parallel_give_the_figures_of_runs_evaluated_in_turn(monkeypatch):
    latents, labels = blobs()
    runs = [(s, latents + np.random.default_rng(s).normal(0, 0.5, latents.shape))
            for s in (2, 0, 1)]
    monkeypatch.setattr("songspace.parallel.available_cores", lambda: 2)
    parallel, parallel_clusters = evaluate_method("ae", runs, labels, CLUSTER, seed=42)
    monkeypatch.setattr("songspace.parallel.available_cores", lambda: 1)
    in_turn, in_turn_clusters = evaluate_method("ae", runs, labels, CLUSTER, seed=42)
    assert json.dumps(parallel) == json.dumps(in_turn)
    assert list(parallel["seeds"]) == ["seed_2", "seed_0", "seed_1"]
    for key, clusters in in_turn_clusters.items():
        np.testing.assert_array_equal(clusters, parallel_clusters[key])


def test_method_argument_is_checked():
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    assert method_from_args(["pca"], params) == "pca"
    with pytest.raises(SongspaceError, match="one of params.yaml's methods"):
        method_from_args(["vae"], params)


def test_pca_runs_reread_one_file_with_different_seeds():
    assert methods.latent_path("pca", 2) == methods.latent_path("pca", 0)
    assert methods.latent_path("ae", 2).name == "seed_2.npy"
    assert methods.run_seed(42, 0, methods.KMEANS) != methods.run_seed(42, 1, methods.KMEANS)


# --- the stages on a planted project ------------------------------------------------------

@pytest.fixture
def project(tmp_path, monkeypatch):
    """A working directory with params.yaml, labels, songs and planted latents per method."""
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["train"]["seeds"] = [0, 1]
    params["cluster"].update(CLUSTER)
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    _, labels = blobs()
    n = len(labels)
    ids = [f"TR{i:016d}" for i in range(n)]
    labels_dir = tmp_path / "data/labels"
    labels_dir.mkdir(parents=True)
    pd.DataFrame({"track_id": ids, "genre": [GENRES[x] if x >= 0 else "" for x in labels],
                  "label": labels}).to_csv(labels_dir / "genres.csv", index=False)
    (labels_dir / "classes.json").write_text(json.dumps({"genres": GENRES}))
    (tmp_path / "data/subset").mkdir(parents=True)
    pd.DataFrame({"track_id": ids, "title": [f"Song {i}" for i in range(n)],
                  "artist_name": [f"Artist {i % 7}" for i in range(n)]}).to_csv(
        tmp_path / "data/subset/songs.csv", index=False)
    for index, method in enumerate(METHODS):
        seeds = [0] if methods.single_latent(method) else [0, 1]
        for seed in seeds:
            latents, _ = blobs(noise=0.5 + 0.3 * index, seed=0)
            latents += np.random.default_rng([index, seed]).normal(0, 0.2, latents.shape)
            path = tmp_path / methods.latent_path(method, seed)
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, latents.astype(np.float32))
    with SimilarWriter(tmp_path / "data/features") as writer:
        for i, track_id in enumerate(ids):
            writer.add(track_id, f"AR{i % 7}", [f"AR{(i + 1) % 7}"])
        writer.finish()
    (tmp_path / "plots/train").mkdir(parents=True)
    for method in METHODS:  # the curves the report gathers
        (tmp_path / f"plots/train/{method}.csv").write_text(
            "epoch,val_loss\n1,0.5\n2,0.25\n" if spec(method).per_seed
            else "component,explained_variance_ratio,cumulative\n1,0.5,0.5\n2,0.25,0.75\n")
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics/genres.json").write_text(
        json.dumps(label_summary(GENRES, labels)))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_stage_script(name: str, *args: str, monkeypatch) -> None:
    monkeypatch.setattr(sys, "argv", [name, *args])
    runpy.run_path(str(ROOT / "stages" / f"{name}.py"), run_name="test")["main"]()


def test_cluster_eval_is_byte_identical_for_the_same_params(project, monkeypatch):
    run_stage_script("cluster_eval", "ae", monkeypatch=monkeypatch)
    first = (project / "metrics/cluster/ae.json").read_bytes()
    shutil.rmtree(project / "metrics/cluster")
    run_stage_script("cluster_eval", "ae", monkeypatch=monkeypatch)
    assert (project / "metrics/cluster/ae.json").read_bytes() == first
    result = json.loads(first)
    for name in ("silhouette", "nmi", "ari", "ami", "purity", "knn_accuracy", "knn_macro_f1"):
        assert set(result[name]) == {"mean", "std"}
    assert set(result["seeds"]) == {"seed_0", "seed_1"}
    assert (project / "plots/clusters/ae.png").stat().st_size > 0
    assert list(pd.read_csv(project / "data/clusters/ae.csv").columns) == [
        "track_id", "seed_0", "seed_1"]


def test_pca_spread_is_clustering_randomness(project, monkeypatch):
    run_stage_script("cluster_eval", "pca", monkeypatch=monkeypatch)
    result = json.loads((project / "metrics/cluster/pca.json").read_text())
    assert result["n_seeds"] == 2
    assert result["spread"].startswith("clustering only")
    seeds = result["seeds"]
    assert seeds["seed_0"]["kmeans_seed"] != seeds["seed_1"]["kmeans_seed"]


def test_report_lists_every_method_and_the_baselines(project, monkeypatch):
    for method in METHODS:
        run_stage_script("cluster_eval", method, monkeypatch=monkeypatch)
        result = json.loads((project / f"metrics/cluster/{method}.json").read_text())
        for name in ("nmi", "ari", "ami", "purity"):
            chance = result["baseline"][f"random_{name}"]
            assert result[name]["mean"] > chance["mean"] + 3 * chance["std"], (method, name)
        run_stage_script("retrieval_eval", method, monkeypatch=monkeypatch)
    run_stage_script("report", monkeypatch=monkeypatch)
    text = (project / "reports/results.md").read_text()
    for name in map(methods.title, METHODS):
        assert f"| {name} |" in text
    assert "Majority class (baseline)" in text and "Random clusters, same sizes" in text
    assert "](../plots/tsne/ae.png)" in text and "mask_genre_terms` is false" in text
    for method in methods.learned(METHODS):
        assert f"**{methods.title(method)}**" in text
    summary = json.loads((project / "metrics/summary.json").read_text())
    assert set(summary["methods"]) == set(METHODS)
    assert set(summary["vs_baselines"]) == {*methods.learned(METHODS), "pca"}
    assert set(summary["vs_baselines"]["hybrid_vae"]) == {"raw", "pca", "text"}
    assert set(summary["vs_baselines"]["ae"]) == {"raw", "pca"}
    assert "## Against the baselines" in text and "**HybridVAE** " in text
    assert "Tags (TF-IDF SVD)" in text and "Raw statistics" in text
    headline = json.loads((project / "metrics/headline.json").read_text())
    assert set(headline) == {"songs", "labelled", *METHODS}
    assert set(headline["ae"]) == {"nmi", "ari", "knn_accuracy", "silhouette",
                                   "similar_artist_rate"}
    curves = pd.read_csv(project / "plots/training_curves.csv")
    assert curves["model"].unique().tolist() == ["AE", "Beta-VAE", "ConvVAE", "HybridVAE"]
    assert curves.columns.tolist() == ["model", "epoch", "val_loss"] and len(curves) == 8
    variance = pd.read_csv(project / "plots/explained_variance.csv")
    assert variance["model"].unique().tolist() == ["PCA", "Raw statistics", "Tags (TF-IDF SVD)"]
    assert report._tags_note("hybrid_vae", True).count("is true for these numbers") == 1
    # Regenerated from the same metrics files: the same bytes.
    run_stage_script("report", monkeypatch=monkeypatch)
    assert (project / "reports/results.md").read_text() == text


def test_tsne_writes_the_interactive_scatter_table(project, monkeypatch):
    run_stage_script("cluster_eval", "pca", monkeypatch=monkeypatch)
    run_stage_script("tsne", "pca", monkeypatch=monkeypatch)
    points = pd.read_csv(project / "plots/tsne/pca.csv", keep_default_na=False)
    assert list(points.columns) == ["x", "y", "genre", "colour", "cluster", "title",
                                    "artist_name"]
    assert len(points) == 240 and points["title"].iloc[3] == "Song 3"
    assert (project / "plots/tsne/pca.png").stat().st_size > 0


def test_interactive_tsne_and_png_take_their_colours_from_one_palette(project, monkeypatch):
    """Every palette call (the PNG's and the CSV's) is recorded; the CSV's colour column,
    which the template's colour scale reads, is the PNG's palette row by row."""
    run_stage_script("cluster_eval", "pca", monkeypatch=monkeypatch)
    calls = []

    def recorded(genres):
        calls.append((list(genres), real(genres)))
        return calls[-1][1]

    real = pictures.palette
    monkeypatch.setattr(pictures, "palette", recorded)
    run_stage_script("tsne", "pca", monkeypatch=monkeypatch)
    assert len(calls) == 2 and calls[0] == calls[1] and calls[0][0] == GENRES
    points = pd.read_csv(project / "plots/tsne/pca.csv", keep_default_na=False)
    colours = real(GENRES)
    assert (points["colour"] == points["genre"].map(colours)).all()
    assert set(points["genre"]) == {*GENRES, pictures.UNLABELLED}
    template = json.loads((ROOT / ".dvc/plots/tsne_genre.json").read_text())
    colour = template["encoding"]["color"]
    assert colour["field"] == "genre" and colour["scale"] == {"range": {"field": "colour"}}


def test_artist_filter_removes_the_artist_effect():
    """Genre carried only by artist identity: unfiltered folds look perfect, filtered don't."""
    rng = np.random.default_rng(0)
    n_artists, per_artist = 60, 5
    centres = rng.normal(size=(n_artists, 4)) * 10
    artist_genre = rng.integers(0, 3, size=n_artists)
    artists = np.repeat(np.arange(n_artists), per_artist)
    latents = centres[artists] + rng.normal(scale=0.01, size=(len(artists), 4))
    labels = artist_genre[artists]
    unfiltered = knn_probe(latents, labels, 3, 5, seed=0)
    filtered = knn_probe(latents, labels, 3, 5, seed=0, artists=artists)
    assert unfiltered["knn_accuracy"] > 0.95
    assert filtered["knn_accuracy"] < 0.6


# --- bounds: seeded samples above a size (issue 21), nothing changes below it -------------

def test_seeded_sample_binds_only_above_its_size():
    rows = np.arange(100) * 3
    assert methods.seeded_sample(rows, 100, 42, methods.KNN_SAMPLE) is None
    sample = methods.seeded_sample(rows, 40, 42, methods.KNN_SAMPLE)
    assert len(sample) == 40 and set(sample) <= set(rows) and (np.diff(sample) > 0).all()
    np.testing.assert_array_equal(sample, methods.seeded_sample(rows, 40, 42,
                                                                methods.KNN_SAMPLE))
    assert not np.array_equal(sample, methods.seeded_sample(rows, 40, 42,
                                                            methods.TSNE_SAMPLE))


def test_knn_probe_samples_labelled_songs_above_knn_max():
    latents, labels = blobs()
    runs = [(0, latents)]
    n_labelled = int((labels >= 0).sum())
    full, _ = evaluate_method("ae", runs, labels, {**CLUSTER, "knn_max": n_labelled}, seed=42)
    assert full["knn_songs"] == n_labelled
    bounded = {**CLUSTER, "knn_max": 60}
    sampled, _ = evaluate_method("ae", runs, labels, bounded, seed=42)
    assert sampled["knn_songs"] == 60
    rows = evaluate.knn_rows(labels, 60, 42)
    assert len(rows) == 60 and (labels[rows] >= 0).all()
    probe = knn_probe(latents[rows], labels[rows], 5, 3,
                      methods.run_seed(42, 0, methods.KNN))
    assert sampled["seeds"]["seed_0"]["knn_accuracy_same_artist"] == probe["knn_accuracy"]
    # the clustering figures still use every song
    for name in ("nmi", "ari", "silhouette"):
        assert sampled[name] == full[name]


def test_tsne_maps_a_seeded_sample_above_max_songs(project, monkeypatch):
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["tsne"]["max_songs"] = 100
    (project / "params.yaml").write_text(yaml.safe_dump(params))
    run_stage_script("cluster_eval", "pca", monkeypatch=monkeypatch)
    run_stage_script("tsne", "pca", monkeypatch=monkeypatch)
    points = pd.read_csv(project / "plots/tsne/pca.csv", keep_default_na=False)
    rows = methods.seeded_sample(np.arange(240), 100, params["seed"], methods.TSNE_SAMPLE)
    assert len(points) == 100
    assert points["title"].tolist() == [f"Song {i}" for i in rows]
    clusters = pd.read_csv(project / "data/clusters/pca.csv")["seed_0"].to_numpy()
    np.testing.assert_array_equal(points["cluster"], clusters[rows])


def test_report_says_which_figures_were_sampled(project, monkeypatch):
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["cluster"].update(knn_max=80, silhouette_max=120)
    params["retrieval"]["max_queries"] = 50
    (project / "params.yaml").write_text(yaml.safe_dump(params))
    for method in METHODS:
        run_stage_script("cluster_eval", method, monkeypatch=monkeypatch)
        run_stage_script("retrieval_eval", method, monkeypatch=monkeypatch)
    run_stage_script("report", monkeypatch=monkeypatch)
    text = (project / "reports/results.md").read_text()
    assert "seeded sample of 120 of the 240 songs per run (`cluster.silhouette_max`)" in text
    assert "seeded sample of 80 of the" in text and "(`cluster.knn_max`)" in text
    assert "seeded sample of 50 of the 240 songs as queries" in text
