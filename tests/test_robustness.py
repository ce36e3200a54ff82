"""Bad files, odd songs, read-only sources and atomic outputs."""

import hashlib
import json
import re

from songspace import catalog
from songspace.errors import SongspaceError
from songspace.io import atomic_path
from songspace.synthetic.generate import generate

import pandas as pd
import pytest

from conftest import dvc, make_project
from msd_fixtures import copy_track, make_odd_files


@pytest.fixture(scope="module")
def mixed_source(shared_msd, tmp_path_factory):
    """Real good files, synthetic good files and one file of each broken or odd kind."""
    root = tmp_path_factory.mktemp("mixed")
    for path in sorted((shared_msd / "tracks").glob("*.h5")):
        copy_track(path, root / "real")
    generate(root / "synthetic", seed=5, n_songs=110, workers=1, progress=False)
    expected = make_odd_files(shared_msd / "tracks", root / "odd")
    return root, expected


def checksums(root):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_every_bad_song_is_listed_with_its_reason(mixed_source):
    root, expected = mixed_source
    found = catalog.scan(root, min_segments=3, workers=2, batch_size=4, progress=False)
    skipped = {row.source_file.rsplit("/", 1)[-1]: row.reason
               for row in found.skipped.itertuples()}
    for name, reason in expected.items():
        if reason == "kept":
            assert name.removesuffix(".h5") in set(found.songs["track_id"]), name
        elif reason != "duplicate_track_id":
            assert skipped.get(name) == reason, name
    # the same track id in two files: kept once (the first in path order), the other reported
    duplicates = found.skipped[found.skipped["reason"] == "duplicate_track_id"]
    assert duplicates["track_id"].tolist() == ["TRAAADZ128F9348C2E"]
    assert (found.songs["track_id"] == "TRAAADZ128F9348C2E").sum() == 1
    assert len(found.songs) == 10 + 110 + 3
    assert found.n_found == len(found.songs) + len(found.skipped)
    summary = catalog.summary(found, found.songs, "all")
    assert summary["skipped_by_reason"]["unreadable"] == 3


def test_odd_songs_are_cleaned_by_the_stated_rule(mixed_source):
    root, _ = mixed_source
    found = catalog.scan(root / "odd", min_segments=3, workers=1, batch_size=4, progress=False)
    kept = found.songs.set_index("track_id")
    assert kept.loc["TRODD00000SOMENANS", "n_segments"] == 971 - 99  # 98 NaN, 1 inf rows dropped
    assert kept.loc["TRODD000000BADUTF8", "title"] == "Caf\ufffd \ufffd Song"
    assert "TRODD0000000NOTERMS" in kept.index


def test_too_many_bad_files_stop_the_stage(mixed_source):
    root, _ = mixed_source
    found = catalog.scan(root / "odd", min_segments=3, workers=1, batch_size=4, progress=False)
    with pytest.raises(SongspaceError, match="above data.max_bad_fraction = 0.05"):
        catalog.check_bad_fraction(found, 0.05, str(root / "odd"))


def test_mixed_directory_runs_through_dvc_repro(mixed_source, tmp_path):
    """Through DVC, every stage that reads the songs' data, up to the models that read the
    odd parts of it (short sequences, songs without terms) and the evaluations that read
    labels and similar artists; the rest of the pipeline reads only latents and runs in the
    tiny default repro (test_pipeline.py)."""
    root, expected = mixed_source
    before = checksums(root)
    project = make_project(tmp_path / "project", {
        "data": {"source": str(root), "task": "all", "max_bad_fraction": 0.2},
        "features": {"workers": 2, "batch_size": 8},
        "train": {"max_epochs": 2, "seeds": [0], "threads": 1},
        "cluster": {"n_init": 2, "random_repeats": 3, "cv_folds": 2},
        "tsne": {"threads": 1},
    })
    result = dvc(["repro", "train@conv_vae", "train@hybrid_vae", "cluster_eval@text",
                  "retrieval_eval@text"], project)
    assert "Traceback" not in result.stdout + result.stderr
    skipped = pd.read_csv(project / "data/subset/skipped.csv")
    assert len(skipped) == sum(reason != "kept" for reason in expected.values())
    assert skipped["reason"].notna().all() and skipped["detail"].notna().all()
    data = json.loads((project / "metrics/data.json").read_text())
    assert data["usable"] == data["selected"] == 123
    assert data["found"] == data["usable"] + data["skipped"]
    songs = pd.read_csv(project / "data/subset/songs.csv")
    assert len(songs) == 123
    assert (project / "metrics/retrieval/text.json").is_file()
    assert (project / "data/latents/conv_vae/seed_0.npy").is_file()
    assert checksums(root) == before  # raw data never changed


def test_atomic_path_leaves_nothing_half_written(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_source_without_msd_files_is_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("no songs here")
    with pytest.raises(SongspaceError, match="holds no MSD .h5 files"):
        catalog.scan(tmp_path, min_segments=3, workers=1, batch_size=4, progress=False)
    with pytest.raises(SongspaceError, match="neither a directory, an .h5 file nor a .tar.gz"):
        catalog.scan(tmp_path / "notes.txt", min_segments=3, workers=1, batch_size=4,
                     progress=False)


def test_bad_synthetic_params_leave_the_source_in_place(tmp_path):
    """The synthetic source is not in DVC's cache: a rejected seed must not cost it."""
    project = make_project(tmp_path / "project", {"synthetic": {"n_songs": 30}})
    dvc(["repro", "synthesize"], project)
    before = checksums(project / "data/synthetic")
    params = project / "params.yaml"
    good = params.read_text()
    params.write_text(re.sub(r"(?m)^seed: .*$", "seed: abc", good))
    result = dvc(["repro", "synthesize"], project, check=False)
    assert result.returncode != 0 and "seed = 'abc' is not allowed" in result.stderr
    assert checksums(project / "data/synthetic") == before
    params.write_text(good)
    assert "up to date" in dvc(["status", "synthesize"], project).stdout.lower()
