"""The synthetic source's features written without its files equal what the subset and
extract_features stages write from the files (benchmarks/scale.py --features-only)."""

import filecmp
from pathlib import Path

from songspace import catalog
from songspace.features.extract import extract
from songspace.features.store import load_sequences
from songspace.features.synthetic import write_features_only
from songspace.synthetic.generate import generate

import numpy as np
import pytest

PARAMS = {
    "seed": 5,
    "synthetic": {"n_songs": 300, "separation": 0.6, "songs_per_artist": 2.5},
    "data": {"source": "data/synthetic", "task": "all", "task_sizes": {"easy": 100},
             "max_bad_fraction": 0.05},
    "features": {"seq_len": 40, "min_segments": 3},
}
SUBSET_FILES = ("data/subset/songs.csv", "data/subset/skipped.csv", "metrics/data.json")
FEATURE_FILES = ("audio_stats.parquet", "zscore.json", "terms.parquet", "similar.parquet")


def through_the_files(params) -> None:
    """What synthesize, subset and extract_features write, run in the current directory."""
    synthetic, features = params["synthetic"], params["features"]
    source = Path(params["data"]["source"])
    generate(source, seed=params["seed"], n_songs=synthetic["n_songs"],
             separation=synthetic["separation"],
             songs_per_artist=synthetic["songs_per_artist"], workers=2, progress=False)
    found = catalog.scan(source, min_segments=features["min_segments"], workers=2,
                         batch_size=16, progress=False)
    chosen = catalog.publish(found, params, Path("data/subset"), Path("metrics/data.json"))
    extract(chosen, Path("data/features"), seq_len=features["seq_len"],
            min_segments=features["min_segments"], workers=2, batch_size=16, progress=False)


@pytest.mark.parametrize("task", ["all", "easy"])
def test_features_only_equal_the_stages_outputs(tmp_path, monkeypatch, task):
    params = {**PARAMS, "data": {**PARAMS["data"], "task": task}}
    files, direct = tmp_path / "files", tmp_path / "direct"
    files.mkdir()
    monkeypatch.chdir(files)
    through_the_files(params)
    chosen = write_features_only(direct, params, workers=2, progress=False)
    assert len(chosen) == (300 if task == "all" else 100)
    assert not (direct / "data/synthetic").exists()
    for name in SUBSET_FILES:
        assert filecmp.cmp(files / name, direct / name, shallow=False), name
    for name in FEATURE_FILES:
        assert filecmp.cmp(files / "data/features" / name, direct / "data/features" / name,
                           shallow=False), name
    from_files, written = (load_sequences(p / "data/features") for p in (files, direct))
    assert from_files[0] == written[0] == chosen["track_id"].tolist()
    np.testing.assert_array_equal(from_files[1], written[1])
    np.testing.assert_array_equal(from_files[2], written[2])
