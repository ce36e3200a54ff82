"""Any song in a trained space (issue 22): the training subset's songs get their stored latents
bit for bit, every source data.source takes can be embedded, a file outside the subset gets
neighbours, skipped songs are listed as the subset stage lists them, and each error is one
line with nothing left half-written."""

import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from songspace import catalog, cli, kernels
from songspace.evaluation import methods
from songspace.features.store import load_zscore
from songspace.models.spec import spec
from songspace.space import load_space, trained
from songspace.space.encoders import Encoder, Vocabulary
from songspace.space.reading import read_sources
from songspace.text import load_idf, load_vocabulary
from songspace.training import inputs

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from conftest import METHODS, TINY_PARAMS, env
from msd_fixtures import make_odd_files

SYNTHETIC = Path("data/synthetic")
N_SOURCE = 240  # TINY_PARAMS' synthetic songs; the subset ("hard") holds 200 of them


def subset_ids(project: Path) -> list[str]:
    songs = pd.read_csv(project / "data/subset/songs.csv", dtype=str, keep_default_na=False)
    return songs["track_id"].tolist()


def stored_latents(project: Path, method: str, seed: int) -> np.ndarray:
    return np.load(project / methods.latent_path(method, seed))


def rows_for(track_ids: list[str], wanted: list[str]) -> list[int]:
    position = {track_id: row for row, track_id in enumerate(track_ids)}
    return [position[track_id] for track_id in wanted]


def songspace(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The command itself, in its own process."""
    return subprocess.run([sys.executable, "-m", "songspace.cli", *args], cwd=cwd,
                          env=env(), capture_output=True, text=True)


@pytest.fixture
def command(monkeypatch, capsys):
    """The command's main() run in this process (no second import of torch: faster), from
    ``cwd``; answered as ``songspace`` answers."""
    def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
        monkeypatch.chdir(cwd)
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, captured.out, captured.err)

    return run


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


# --- the training subset's songs get their stored latents ---------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_training_songs_get_their_stored_latents_bit_for_bit(tiny_project, method):
    seeds = TINY_PARAMS["train"]["seeds"] if spec(method).per_seed else [0]
    for seed in seeds:
        space = load_space(tiny_project, method, seed)
        found = space.embed(tiny_project / SYNTHETIC)
        assert len(found.songs) == N_SOURCE and found.skipped.empty
        subset = rows_for(found.songs["track_id"].tolist(), subset_ids(tiny_project))
        np.testing.assert_array_equal(found.vectors[subset],
                                      stored_latents(tiny_project, method, seed))


def test_streamed_parts_of_any_size_give_the_same_bits(tiny_project, monkeypatch):
    monkeypatch.setattr(trained, "ENCODE_ROWS", 7)
    space = load_space(tiny_project, "hybrid_vae")
    parts = list(space.iter_embed(tiny_project / SYNTHETIC))
    assert len(parts) == -(-N_SOURCE // 7) and all(len(p.songs) <= 7 for p in parts)
    track_ids = [t for p in parts for t in p.songs["track_id"]]
    vectors = np.concatenate([p.vectors for p in parts])
    np.testing.assert_array_equal(vectors[rows_for(track_ids, subset_ids(tiny_project))],
                                  stored_latents(tiny_project, "hybrid_vae", 0))


def test_masked_genre_words_give_the_training_text_input(tiny_project):
    """model.hybrid_vae.mask_genre_terms: a song's text input is the one training read."""
    genres = inputs.load_genres(tiny_project / inputs.CLASSES)
    text = tiny_project / inputs.TEXT
    trained_on = inputs.hybrid_inputs(tiny_project / inputs.FEATURES, text, genres)
    encoder = Encoder("hybrid_vae", load_zscore(tiny_project / inputs.FEATURES),
                      Vocabulary(load_vocabulary(text), load_idf(text), genres), project=None)
    songs = [s for s in read_sources([tiny_project / SYNTHETIC], min_segments=3, seq_len=100,
                                     workers=1, batch_size=16) if not isinstance(s, dict)]
    by_id = {song.info["track_id"]: song for song in songs}
    arrays = encoder.arrays([by_id[t] for t in trained_on.track_ids])
    assert arrays[1].shape[1] < len(load_vocabulary(text))  # genre words were removed
    for mine, theirs in zip(arrays, trained_on.arrays, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_numpy_imported_before_songspace_is_a_warning_not_an_error(tiny_project, monkeypatch):
    monkeypatch.setattr(kernels, "loaded_too_early", ["numpy"])
    with pytest.warns(UserWarning, match="numpy imported before songspace"):
        space = load_space(tiny_project, "pca")
    assert space.latents.shape == (200, 16)


def test_embed_command_writes_vectors_and_the_skipped_list(tiny_project, tmp_path):
    out = tmp_path / "new" / "songs.parquet"
    result = songspace(tiny_project, "embed", str(SYNTHETIC), "--method", "conv_vae",
                       "--seed", "1", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert f"embed: {N_SOURCE} songs in ConvVAE space (seed 1, 16 dimensions)" in result.stdout
    assert pq.read_schema(out).field("vector").type == pa.list_(pa.float32(), 16)
    table = pd.read_parquet(out)
    assert list(table.columns) == ["track_id", "title", "artist_name", "vector"]
    vectors = np.stack(table["vector"].to_list())
    subset = rows_for(table["track_id"].tolist(), subset_ids(tiny_project))
    np.testing.assert_array_equal(vectors[subset], stored_latents(tiny_project, "conv_vae", 1))
    skipped = pd.read_csv(tmp_path / "new" / "songs.skipped.csv")
    assert skipped.empty and list(skipped.columns) == catalog.SKIPPED_COLUMNS


def test_progress_bar_on_a_terminal(tiny_project, tmp_path, monkeypatch, command):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    result = command(tiny_project, "embed", str(SYNTHETIC), "--method", "raw",
                     "-o", str(tmp_path / "raw.parquet"))
    assert result.returncode == 0 and f"{N_SOURCE}/{N_SOURCE}" in result.stderr


# --- every source data.source takes -------------------------------------------------------

def test_an_archive_and_single_files_embed_as_the_directory(tiny_project, tmp_path):
    files = sorted((tiny_project / SYNTHETIC).rglob("*.h5"))[:5]
    archive = tmp_path / "millionsongsubset.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in files:
            tar.add(path, arcname=f"MillionSongSubset/{path.relative_to(tiny_project)}")
    space = load_space(tiny_project, "ae")
    whole = space.embed(tiny_project / SYNTHETIC)
    expected = whole.vectors[rows_for(whole.songs["track_id"].tolist(), [p.stem for p in files])]
    for source in (archive, files):
        found = space.embed(source)
        assert found.songs["track_id"].tolist() == [p.stem for p in files]
        np.testing.assert_array_equal(found.vectors, expected)


def test_real_and_aggregate_files_get_neighbours(tiny_project, shared_msd):
    space = load_space(tiny_project, "hybrid_vae")
    found = space.embed([shared_msd / "tracks", shared_msd / "aggregate"])
    assert len(found.songs) == 13 and found.skipped.empty
    assert np.isfinite(found.vectors).all() and found.vectors.shape[1] == 32
    near = space.nearest(found.vectors[0], k=4)
    assert len(near) == 4 and near["distance"].is_monotonic_increasing
    np.testing.assert_allclose(
        near["distance"], np.linalg.norm(space.latents[near.index] - found.vectors[0], axis=1),
        rtol=1e-5)


# --- similar songs from a file ------------------------------------------------------------

def test_a_file_outside_the_subset_gets_neighbours(tiny_project, command):
    chosen = set(subset_ids(tiny_project))
    outside = next(p for p in sorted((tiny_project / SYNTHETIC).rglob("*.h5"))
                   if p.stem not in chosen)
    result = command(tiny_project, "similar", "--file", str(outside), "--method", "ae",
                     "-k", "5", "--json")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["query"]["track_id"] == outside.stem and not output["query"]["in_subset"]
    neighbours = output["neighbours"]
    assert len(neighbours) == 5 and {n["track_id"] for n in neighbours} <= chosen
    distances = [n["distance"] for n in neighbours]
    assert distances == sorted(distances) and distances[0] > 0
    text = command(tiny_project, "similar", "--file", str(outside), "--method", "ae")
    assert text.returncode == 0 and "not in the subset" in text.stdout


def test_a_subset_songs_file_answers_as_the_subset_song(tiny_project, command):
    track_id = subset_ids(tiny_project)[7]
    path = next((tiny_project / SYNTHETIC).rglob(f"{track_id}.h5"))
    by_file = command(tiny_project, "similar", "--file", str(path), "--method", "text",
                      "--json")
    by_id = command(tiny_project, "similar", track_id, "--method", "text", "--json")
    assert by_file.returncode == 0 and by_id.returncode == 0, by_file.stderr + by_id.stderr
    from_file, from_id = json.loads(by_file.stdout), json.loads(by_id.stdout)
    assert from_file["neighbours"] == from_id["neighbours"]
    assert from_file["query"]["in_subset"] and from_file["query"]["genre"] == \
        from_id["query"]["genre"]


# --- skipped songs ------------------------------------------------------------------------

def test_skipped_songs_are_listed_with_the_subset_stages_reasons(tiny_project, shared_msd,
                                                                tmp_path, command):
    make_odd_files(shared_msd / "tracks", tmp_path / "odd")
    out = tmp_path / "odd.parquet"
    result = command(tiny_project, "embed", str(tmp_path / "odd"), "--method", "pca",
                     "-o", str(out))
    assert result.returncode == 0, result.stderr
    skipped = pd.read_csv(tmp_path / "odd.skipped.csv", keep_default_na=False)
    scan = catalog.scan(tmp_path / "odd", min_segments=3, workers=1, batch_size=4,
                        progress=False)
    columns = ["source_file", "track_id", "reason", "detail"]
    assert len(skipped) == len(scan.skipped) > 0
    pd.testing.assert_frame_equal(skipped[columns].astype(str),
                                  scan.skipped[columns].astype(str))
    assert sorted(pd.read_parquet(out)["track_id"]) == sorted(scan.songs["track_id"])


# --- errors: one line each, nothing half-written ------------------------------------------

@pytest.fixture
def project(tiny_project, tmp_path) -> Path:
    """What embedding reads of the tiny project, copied: the tiny project is shared."""
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(tiny_project / "params.yaml", copy)
    for folder in ("data/subset", "data/features", "data/text", "data/labels", "data/latents",
                   "models"):
        shutil.copytree(tiny_project / folder, copy / folder)
    return copy


@pytest.fixture
def files(tiny_project, tmp_path) -> Path:
    """Three good song files beside the project copy."""
    folder = tmp_path / "files"
    folder.mkdir()
    for path in sorted((tiny_project / SYNTHETIC).rglob("*.h5"))[:3]:
        shutil.copy(path, folder)
    return folder


@pytest.fixture
def embed(command):
    """`songspace embed FILES ARGS -o OUT` in a project copy, FILES beside it."""
    def run(project: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
        return command(project, "embed", str(project.parent / "files"), *args, "-o", str(out))

    return run


def _nothing_written(folder: Path) -> None:
    assert not folder.exists() or not list(folder.iterdir())


@pytest.mark.parametrize("missing, method", [("models/ae", "ae"),
                                             ("data/latents/conv_vae", "conv_vae"),
                                             ("models/text", "text")])
def test_a_method_not_trained_yet_names_its_stage(project, files, tmp_path, missing, method,
                                                  embed):
    shutil.rmtree(project / missing)
    error = one_line_error(embed(project, tmp_path / "out" / "x.parquet", "--method", method))
    assert f"`dvc repro train@{method}`" in error
    _nothing_written(tmp_path / "out")


def test_a_changed_seq_len_is_refused(project, files, tmp_path, embed):
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["features"]["seq_len"] = 50
    (project / "params.yaml").write_text(yaml.safe_dump(params))
    error = one_line_error(embed(project, tmp_path / "out" / "x.parquet",
                                  "--method", "conv_vae"))
    assert "features.seq_len = 50" in error and "`dvc repro train@conv_vae`" in error
    _nothing_written(tmp_path / "out")


@pytest.mark.parametrize("method", ["hybrid_vae", "text"])
def test_a_vocabulary_changed_since_training_is_refused(project, files, tmp_path, method,
                                                        embed):
    """The tfidf stage reran with other words (here: the same words in another order)."""
    text = project / inputs.TEXT
    ids, matrix, vocabulary = inputs.load_tfidf(text)
    order = np.arange(len(vocabulary))[::-1]
    with np.load(text / "tfidf.npz") as data:
        stored = dict(data)
    shuffled = matrix[:, order].tocsr()
    np.savez(text / "tfidf.npz", **{**stored, "data": shuffled.data, "indices": shuffled.indices,
                                    "indptr": shuffled.indptr, "idf": stored["idf"][order]})
    (text / "tfidf_vocabulary.json").write_text(json.dumps([vocabulary[i] for i in order]))
    error = one_line_error(embed(project, tmp_path / "out" / "x.parquet", "--method", method))
    assert "no longer matches" in error and f"`dvc repro train@{method}`" in error
    _nothing_written(tmp_path / "out")


def test_unreadable_files_are_one_line(project, tmp_path, embed, command):
    garbage = tmp_path / "files" / "TRGARBAGE.h5"
    garbage.parent.mkdir()
    garbage.write_bytes(b"not an HDF5 file\n" * 100)
    out = tmp_path / "out" / "x.parquet"
    error = one_line_error(embed(project, out, "--method", "ae"))
    assert "no song" in error and "1 unreadable" in error and "not a readable MSD HDF5" in error
    _nothing_written(tmp_path / "out")
    error = one_line_error(songspace(project, "similar", "--file", str(garbage)))
    assert "TRGARBAGE.h5" in error and "not a readable MSD HDF5 file" in error
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    error = one_line_error(command(project, "embed", str(notes), "-o", str(out)))
    assert "neither a directory, an .h5 file nor a .tar.gz" in error
    error = one_line_error(command(project, "similar", "--file", str(notes)))
    assert "not an MSD song file" in error
    _nothing_written(tmp_path / "out")


def test_an_output_that_cannot_be_written_is_one_line(project, files, tmp_path, embed):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    error = one_line_error(embed(project, blocker / "x.parquet", "--method", "ae"))
    assert "cannot be written" in error
    error = one_line_error(embed(project, files, "--method", "ae"))
    assert "is a directory" in error
    assert sorted(p.name for p in files.iterdir()) == sorted(p.name for p in files.glob("*.h5"))
