"""The explorer's data: what page_data encodes decodes to the arrays given, the same inputs
give the same bytes, and the stage on the tiny pipeline writes every method's map, the
neighbours retrieval_eval's search finds and the similar-artist marks its figure counts."""

import base64
import json
import subprocess
import sys
from pathlib import Path

from songspace.evaluation import methods
from songspace.explorer import page
from songspace.explorer.data import COORD_MAX, MethodMap, page_data, quantise
from songspace.features.similar import read_similar
from songspace.retrieval import search
from songspace.retrieval.figures import figures, similar_hits, song_facts

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import METHODS, env

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))
import explore  # noqa: E402


def decode(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def read_document(folder: Path) -> dict:
    text = (folder / page.DATA_FILE).read_text(encoding="utf-8")
    prefix = f"window.{page.GLOBAL} = "
    assert text.startswith(prefix) and text.endswith(";\n")
    return json.loads(text[len(prefix):-2])


def synthetic_map(name: str, n: int, k: int, seed: int) -> MethodMap:
    rng = np.random.default_rng(seed)
    return MethodMap(name, name.upper(), rng.normal(size=(n, 2)) * [3, 1],
                     rng.integers(0, 8, n), rng.integers(0, n, (n, k)),
                     rng.random((n, k)) < 0.3,
                     {"knn_accuracy": 0.5 + seed / 10, "nmi": 0.123456789,
                      "similar_artist_rate": None})


def test_page_data_round_trip():
    n, k = 50, 4
    maps = [synthetic_map("a", n, k, 1), synthetic_map("b", n, k, 2)]
    artists = [f"artist {i % 7}" for i in range(n)]
    labels = np.where(np.arange(n) % 5 == 0, -1, np.arange(n) % 3)
    document = page_data([f"song {i}" for i in range(n)], artists, labels, ["x", "y", "z"],
                         ["#1", "#2", "#3", "#grey"], maps, ("b", "a"), "note")
    assert document["default"] == ["b", "a"] and document["n_songs"] == n
    names = np.asarray(document["artists"])[decode(document["artist"], "<u4")]
    assert names.tolist() == artists
    assert decode(document["genre"], "u1").tolist() == np.where(labels < 0, 3, labels).tolist()
    for entry, encoded in zip(maps, document["methods"], strict=True):
        xy = decode(encoded["xy"], "<u2").reshape(n, 2)
        assert (xy == quantise(entry.xy)).all() and xy.max() == COORD_MAX
        assert (decode(encoded["neighbours"], "<u2").reshape(n, k) == entry.neighbours).all()
        bits = np.unpackbits(decode(encoded["similar"], "u1"))[:n * k].reshape(n, k)
        assert (bits.astype(bool) == entry.similar).all()
        assert (decode(encoded["cluster"], "u1") == entry.clusters).all()
        assert encoded["figures"]["nmi"] == 0.1235
        assert encoded["figures"]["similar_artist_rate"] is None


def test_quantise_keeps_the_aspect():
    xy = quantise(np.array([[-2.0, 10.0], [2.0, 11.0], [0.0, 10.5]]))
    assert xy.tolist() == [[0, 0], [COORD_MAX, COORD_MAX // 4], [COORD_MAX // 2, COORD_MAX // 8]]


def test_page_data_refuses_mismatched_arrays():
    bad = synthetic_map("a", 10, 3, 1)
    bad.neighbours = bad.neighbours[:, :2]
    with pytest.raises(ValueError, match="similar has shape"):
        page_data([f"s{i}" for i in range(10)], ["a"] * 10, np.zeros(10), ["g"], ["#1", "#2"],
                  [bad], ("a", "a"), "")


def test_default_maps_best_learned_audio_beside_pca():
    figures_by_method = {m: {"knn_accuracy": 0.5} for m in METHODS}
    figures_by_method["hybrid_vae"]["knn_accuracy"] = 0.99  # reads tags: not audio alone
    figures_by_method["beta_vae"]["knn_accuracy"] = 0.7
    assert explore.default_maps(figures_by_method) == ("beta_vae", "pca")


def test_page_write_is_byte_identical(tmp_path):
    n, k = 30, 3
    document = page_data([f"Café {i}" for i in range(n)], ["Ñandú"] * n, np.zeros(n, int),
                         ["rock"], ["#1f77b4", "#c8c8c8"], [synthetic_map("a", n, k, 3)],
                         ("a", "a"), "")
    first = page.write(tmp_path / "one", document)
    second = page.write(tmp_path / "two", document)
    assert first == second and set(first) == {*page.ASSETS, page.DATA_FILE}
    for name in first:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert "Café 0" in (tmp_path / "one" / page.DATA_FILE).read_text(encoding="utf-8")


def test_explore_stage_on_the_tiny_pipeline(tiny_project):
    """The stage's page on the tiny pipeline's outputs: every method, its t-SNE coordinates
    and clusters, exact neighbours in the first seed's latents, retrieval_eval's hits."""
    project = tiny_project
    out = project / "reports" / "explorer"
    run = lambda: subprocess.run([sys.executable, str(ROOT / "stages" / "explore.py")],  # noqa: E731
                                 cwd=project, env=env(), capture_output=True, text=True)
    result = run()
    assert result.returncode == 0, result.stderr
    first = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert run().returncode == 0
    assert first == {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    document = read_document(out)
    params = yaml.safe_load((project / "params.yaml").read_text())
    k, seed0 = params["retrieval"]["k"], params["train"]["seeds"][0]
    genres = pd.read_csv(project / "data/labels/genres.csv", keep_default_na=False)
    n = len(genres)
    assert document["n_songs"] == n  # the tiny set is below tsne.max_songs: every song
    assert [m["name"] for m in document["methods"]] == METHODS
    left, right = document["default"]
    assert explore.learned_audio(METHODS) == ["ae", "beta_vae", "conv_vae"]
    assert left in explore.learned_audio(METHODS) and right == "pca"
    similar = read_similar(project / "data/features")
    facts = song_facts(similar["artist_id"], similar["similar_artists"],
                       genres["label"].to_numpy())
    for entry in document["methods"]:
        name = entry["name"]
        tsne = pd.read_csv(project / f"plots/tsne/{name}.csv", keep_default_na=False)
        xy = decode(entry["xy"], "<u2").reshape(n, 2)
        assert (xy == quantise(tsne[["x", "y"]].to_numpy())).all()
        assert (decode(entry["cluster"], "u1") == tsne["cluster"].to_numpy()).all()
        latents = np.load(project / methods.latent_path(name, seed0, Path("data/latents")))
        index = search.build(latents, params["retrieval"]["metric"], 10**9)
        _, found = search.neighbours(index, latents, k)
        shown = decode(entry["neighbours"], document["index_type"]).reshape(n, k)
        assert (shown == found).all()
        marks = np.unpackbits(decode(entry["similar"], "u1"))[:n * k].reshape(n, k)
        assert (marks.astype(bool) == similar_hits(facts, found)).all()
        # the page's marks are the hits retrieval_eval's similar-artist figure counts
        rate = figures(facts, found)["similar_artist_rate"]
        asked = facts.similar_list >= 0
        assert rate == pytest.approx(marks[asked].mean())
        metrics = json.loads((project / f"metrics/cluster/{name}.json").read_text())
        assert entry["figures"]["knn_accuracy"] == round(metrics["knn_accuracy"]["mean"], 4)
