"""Similar songs: the retrieval figures by hand, the search (exact and approximate), the
figures on a planted synthetic set, the stage through DVC and `songspace similar`."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from songspace import cli
from songspace.evaluation import methods
from songspace.features.similar import SimilarWriter
from songspace.retrieval import index_files, search
from songspace.retrieval.evaluate import evaluate_method
from songspace.retrieval.figures import FIGURES, figures, song_facts
from songspace.synthetic.songs import SONG_SCALE, TIMBRE_SONG_SPREAD
from songspace.synthetic.world import build_world

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.neighbors import NearestNeighbors

from conftest import METHODS, env

ROOT = Path(__file__).resolve().parents[1]
RETRIEVAL = {"k": 5, "metric": "euclidean", "exact_max": 100000, "max_queries": 50000}


# --- figures by hand ----------------------------------------------------------------------

def test_figures_by_hand():
    # artists a a b c; a's list names b, b's names a, c has none; genres 0 0 1 unlabelled
    facts = song_facts(["a", "a", "b", "c"], [["b"], ["b"], ["a"], []], np.array([0, 0, 1, -1]))
    found = np.array([[1, 2], [0, 3], [0, 1], [0, 1]])
    rates = figures(facts, found)
    assert rates["similar_artist_rate"] == pytest.approx(3 / 6)  # songs 0, 1, 2 have a list
    assert rates["same_artist_rate"] == pytest.approx(2 / 4)     # only a has 2 songs
    assert rates["same_genre_rate"] == pytest.approx(2 / 6)      # unlabelled neighbour: a miss


def test_figures_without_qualifying_songs_are_none():
    facts = song_facts(["a", "b", "c"], [[], [], []], np.array([-1, -1, -1]))
    rates = figures(facts, np.array([[1], [2], [0]]))
    assert rates == {name: None for name in FIGURES}


# --- search -------------------------------------------------------------------------------

def test_neighbours_exclude_the_song_itself_even_with_duplicates():
    latents = np.repeat(np.arange(6.0)[:, None], 2, axis=1)
    latents = np.vstack([latents, latents[:1]])  # song 6 duplicates song 0
    index = search.build(latents, "euclidean", exact_max=100)
    distances, found = search.neighbours(index, latents, 2)
    assert found.shape == (7, 2)
    assert all(i not in row for i, row in enumerate(found))
    assert set(found[0]) == {6, 1} and distances[0, 0] == 0


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_approximate_index_recall_and_distances(metric, tmp_path):
    latents = np.random.default_rng(0).normal(size=(3000, 16))
    approximate = search.build(latents, metric, exact_max=1000)
    assert approximate.kind == "approximate"
    distances, found = search.neighbours(approximate, latents, 10)
    exact = NearestNeighbors(n_neighbors=11, metric=metric).fit(latents)
    true_distances, truth = exact.kneighbors(latents)
    recall = np.mean([len(set(a) & set(b[1:])) / 10 for a, b in zip(found, truth, strict=True)])
    assert recall >= 0.95
    np.testing.assert_allclose(distances[:, 0], true_distances[:, 1], rtol=1e-3, atol=1e-4)
    rebuilt = search.build(latents, metric, exact_max=1000)  # one thread: the same graph
    np.testing.assert_array_equal(search.neighbours(rebuilt, latents, 10)[1], found)
    approximate.save(tmp_path / "index.npz")
    again = search.load(tmp_path / "index.npz", metric)
    np.testing.assert_array_equal(search.neighbours(again, latents, 10)[1], found)


def test_random_neighbours_are_other_songs_uniformly():
    drawn = search.random_neighbours(50, 400, np.random.default_rng(0))
    assert all(i not in row for i, row in enumerate(drawn))
    assert set(np.unique(drawn)) == set(range(50))


# --- a planted synthetic set --------------------------------------------------------------

@pytest.fixture(scope="module")
def planted():
    """Songs of a synthetic world of 1,200 artists (lists of 100 cover a twelfth of them):
    (each song's mean timbre as the generator draws it, as latents; the songs' facts)."""
    world = build_world(seed=5, n_songs=3000, separation=1.0, songs_per_artist=2.5)
    rng = np.random.default_rng(0)
    artists = [world.artists[a] for a in world.song_artist]
    latents = np.array([world.genres[a.genre].timbre_centre + a.timbre_offset
                        + rng.normal(size=12) * TIMBRE_SONG_SPREAD * SONG_SCALE
                        for a in artists]) / TIMBRE_SONG_SPREAD
    labels = np.array([a.genre for a in artists])
    facts = song_facts([a.artist_id for a in artists], [a.similar for a in artists], labels)
    return latents, facts


def test_planted_neighbours_share_genre_and_similar_artists_above_chance(planted):
    latents, facts = planted
    noisy = latents + np.random.default_rng(1).normal(scale=0.3, size=latents.shape)
    result, index = evaluate_method("ae", [(0, latents), (1, noisy)], facts, RETRIEVAL, 42)
    assert index.kind == "exact" and result["search"] == "exact"
    assert result["n_seeds"] == 2 and set(result["seeds"]) == {"seed_0", "seed_1"}
    for name in FIGURES:
        assert set(result[name]) == {"mean", "std"} and result[name]["std"] >= 0
    assert result["same_genre_rate"]["mean"] > 2 * result["random"]["same_genre_rate"]["mean"]
    assert (result["similar_artist_rate"]["mean"]
            > 2 * result["random"]["similar_artist_rate"]["mean"])
    assert result["same_artist_rate"]["mean"] > 3 * result["random"]["same_artist_rate"]["mean"]
    again, _ = evaluate_method("ae", [(0, latents), (1, noisy)], facts, RETRIEVAL, 42)
    assert again == result  # seeded: the same figures every time


# --- the stage through DVC (the shared tiny project) --------------------------------------

def test_tiny_repro_writes_retrieval_metrics_and_report(tiny_project):
    for method in METHODS:
        result = json.loads((tiny_project / f"metrics/retrieval/{method}.json").read_text())
        assert result["n_songs"] == 200 and result["k"] == 10 and result["search"] == "exact"
        for name in FIGURES:
            assert 0 <= result[name]["mean"] <= 1 and set(result["random"][name]) == {"mean",
                                                                                      "std"}
        info = json.loads((tiny_project / f"data/retrieval/{method}/index.json").read_text())
        assert info["kind"] == "exact"
    text = (tiny_project / "reports/results.md").read_text()
    assert "## Similar songs" in text and "| *Random neighbours (baseline)* |" in text


def test_cli_on_the_tiny_project(tiny_project):
    songs = pd.read_csv(tiny_project / "data/subset/songs.csv", keep_default_na=False)
    track_id = songs["track_id"].iloc[3]
    result = _cli(tiny_project, "similar", track_id, "--method", "pca", "-k", "4", "--json")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["query"]["track_id"] == track_id and len(output["neighbours"]) == 4
    assert track_id not in {n["track_id"] for n in output["neighbours"]}
    distances = [n["distance"] for n in output["neighbours"]]
    assert distances == sorted(distances)
    text = _cli(tiny_project, "similar", track_id, "--method", "pca", "-k", "4")
    assert text.returncode == 0 and "nearest to" in text.stdout and "distance" in text.stdout


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "songspace.cli", *args], cwd=cwd,
                          env=env(), capture_output=True, text=True)


# --- `songspace similar` on a hand-made workspace -----------------------------------------

@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """What the pipeline leaves for the CLI, written by hand: 6 songs, latents for pca."""
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    songs = pd.DataFrame({
        "track_id": [f"TRTEST{i:012d}" for i in range(6)],
        "title": ["Soul Deep", "Soul Deep", "Blue River", "Night Train", "Gold Rain",
                  "Sweet Home"],
        "artist_name": ["The Box Tops", "Cover Band", "Ana", "Ana", "Bo", "Cy"],
    })
    (tmp_path / "data/subset").mkdir(parents=True)
    songs.to_csv(tmp_path / "data/subset/songs.csv", index=False)
    (tmp_path / "data/labels").mkdir(parents=True)
    pd.DataFrame({"track_id": songs["track_id"], "label": [0, 0, 1, 1, -1, 0],
                  "genre": ["soul", "soul", "rock", "rock", "", "soul"]}).to_csv(
        tmp_path / "data/labels/genres.csv", index=False)
    (tmp_path / "data/labels/classes.json").write_text(json.dumps({"genres": ["soul", "rock"]}))
    artists = ["ARBOX", "ARCOVER", "ARANA", "ARANA", "ARBO", "ARCY"]
    with SimilarWriter(tmp_path / "data/features") as writer:
        for track_id, artist in zip(songs["track_id"], artists, strict=True):
            writer.add(track_id, artist, ["ARANA", "ARCY"] if artist == "ARBOX" else [])
        writer.finish()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write_latents(workspace: Path) -> None:
    latents = np.array([[0.0, 0], [5, 5], [1, 0], [0, 2], [3, 3], [0, 1.5]])
    path = workspace / methods.latent_path("pca", 0)
    path.parent.mkdir(parents=True)
    np.save(path, latents)


def test_cli_before_repro_names_the_stage_to_run(workspace, capsys):
    assert cli.main(["similar", "Blue River", "--method", "pca"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "`dvc repro train@pca`" in err
    assert len(err.strip().splitlines()) == 1


def test_cli_unknown_and_ambiguous_titles_get_close_matches(workspace, capsys):
    _write_latents(workspace)
    assert cli.main(["similar", "Blue Rivr", "--method", "pca"]) == 2
    err = capsys.readouterr().err
    assert "close matches: Blue River" in err and len(err.strip().splitlines()) == 1
    assert cli.main(["similar", "Soul Deep", "--method", "pca"]) == 2
    err = capsys.readouterr().err
    assert "names 2 songs" in err and "The Box Tops - Soul Deep" in err
    assert "Cover Band - Soul Deep" in err
    assert cli.main(["similar", "Zzzzqqq", "--method", "pca"]) == 2
    assert "no close matches" in capsys.readouterr().err


def test_cli_json_and_text(workspace, capsys):
    _write_latents(workspace)
    assert cli.main(["similar", "the box tops - soul deep", "--method", "pca", "-k", "3",
                     "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["query"]["title"] == "Soul Deep" and output["query"]["genre"] == "soul"
    ranked = [(n["title"], n["similar_artist"]) for n in output["neighbours"]]
    assert ranked == [("Blue River", True), ("Sweet Home", True), ("Night Train", True)]
    assert [n["distance"] for n in output["neighbours"]] == pytest.approx([1, 1.5, 2])
    assert cli.main(["similar", "TRTEST000000000004", "--method", "pca", "-k", "2"]) == 0
    text = capsys.readouterr().out
    assert "Gold Rain" in text and "no genre" in text and "2 nearest" in text


def test_cli_as_a_command_prints_one_line_not_a_traceback(workspace):
    result = _cli(workspace, "similar", "Nothing Like It", "--method", "pca")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_above_exact_max_searches_the_stage_index(workspace, capsys):
    _write_latents(workspace)
    params = yaml.safe_load((workspace / "params.yaml").read_text())
    params["retrieval"]["exact_max"] = 2
    (workspace / "params.yaml").write_text(yaml.safe_dump(params))
    assert cli.main(["similar", "Blue River", "--method", "pca", "-k", "2"]) == 2
    assert "`dvc repro retrieval_eval@pca`" in capsys.readouterr().err
    latents = np.load(workspace / methods.latent_path("pca", 0))
    index_files.write("pca", search.build(latents, "euclidean", exact_max=2), 0)
    assert cli.main(["similar", "Blue River", "--method", "pca", "-k", "2", "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["search"] == "approximate"
    assert [n["title"] for n in output["neighbours"]] == ["Soul Deep", "Sweet Home"]


# --- bounds (issue 21): a seeded sample of queries, the HNSW index once --------------------

def test_queries_are_a_seeded_sample_above_max_queries(planted):
    latents, facts = planted
    everyone, _ = evaluate_method("ae", [(0, latents)], facts, RETRIEVAL, 42)
    assert everyone["query_songs"] == 3000
    bounded = {**RETRIEVAL, "max_queries": 500}
    sampled, index = evaluate_method("ae", [(0, latents)], facts, bounded, 42)
    assert sampled["query_songs"] == 500 and index.kind == "exact"
    assert sum(sampled["queries"].values()) <= 3 * 500
    # the sample's figures are what every song's exact neighbours give on those songs
    rows = methods.seeded_sample(np.arange(3000), 500, 42, methods.QUERY_SAMPLE)
    exact = search.build(latents, "euclidean", exact_max=3000)
    _, found = search.neighbours(exact, latents, 5)
    for name, value in figures(facts, found[rows], rows).items():
        assert sampled[name]["mean"] == pytest.approx(value, abs=1e-12)


def test_above_exact_max_the_index_is_built_once_and_the_figures_stay_exact(planted,
                                                                             monkeypatch):
    monkeypatch.setattr(search, "HNSW_SHARD", 1200)  # 3 graphs, built as tasks of their own
    latents, facts = planted
    noisy = latents + np.random.default_rng(1).normal(scale=0.3, size=latents.shape)
    runs = [(0, latents), (1, noisy)]
    exact, _ = evaluate_method("ae", runs, facts, RETRIEVAL, 42)
    approximate, index = evaluate_method("ae", runs, facts, {**RETRIEVAL, "exact_max": 1000},
                                         42)
    assert index.kind == "approximate" and index.n_songs == 3000
    assert approximate == exact  # the figures read exact neighbours either way
    rebuilt = search.build(latents, "euclidean", exact_max=1000)  # the first run's space
    np.testing.assert_array_equal(index.search(latents[:50], 5)[1],
                                  rebuilt.search(latents[:50], 5)[1])


def test_random_neighbours_of_some_songs_avoid_those_songs():
    rows = np.array([0, 7, 9])
    drawn = search.random_neighbours(10, 200, np.random.default_rng(0), rows)
    assert drawn.shape == (3, 200)
    assert all(song not in row for song, row in zip(rows, drawn, strict=True))
    whole = search.random_neighbours(10, 4, np.random.default_rng(3))
    np.testing.assert_array_equal(
        whole, search.random_neighbours(10, 4, np.random.default_rng(3), np.arange(10)))


def test_song_facts_from_arrow_columns_equal_those_from_python_lists():
    import pyarrow as pa

    artists = ["a", "a", "b", "c", "d"]
    lists = [["b", "x"], ["b", "x"], ["a"], [], ["b"]]
    labels = np.array([0, 0, 1, -1, 1])
    from_lists = song_facts(artists, lists, labels)
    from_arrow = song_facts(pa.chunked_array([pa.array(artists[:2]), pa.array(artists[2:])]),
                            pa.chunked_array([pa.array(lists, pa.list_(pa.string()))]), labels)
    found = np.array([[1, 2], [0, 4], [0, 1], [4, 2], [2, 0]])
    assert figures(from_lists, found) == figures(from_arrow, found)
    np.testing.assert_array_equal(from_lists.similar_list, [0, 0, 1, -1, 2])


def test_hnsw_graphs_of_a_fixed_size_answer_as_one(monkeypatch, tmp_path):
    monkeypatch.setattr(search, "HNSW_SHARD", 700)  # 3,000 songs: 5 graphs
    latents = np.random.default_rng(4).normal(size=(3000, 16))
    index = search.build(latents, "euclidean", exact_max=1000)
    assert index.kind == "approximate" and len(index.shards) == 5 and index.n_songs == 3000
    distances, found = search.neighbours(index, latents, 10)
    truth = NearestNeighbors(n_neighbors=11).fit(latents).kneighbors(latents)[1][:, 1:]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
    assert recall >= 0.95 and found.max() >= 2800  # song numbers of every graph come back
    index.save(tmp_path / "index.npz")
    np.testing.assert_array_equal(
        search.neighbours(search.load(tmp_path / "index.npz", "euclidean"), latents, 10)[1],
        found)
