"""The Dask engine gives exactly the local engine's outputs, row order included."""

import filecmp

from songspace import catalog
from songspace.features.extract import extract
from songspace.features.store import load_sequences
from songspace.synthetic.generate import generate

import numpy as np
import pandas as pd


def test_dask_local_cluster_matches_local_engine(shared_msd, tmp_path):
    source = tmp_path / "source"
    generate(source / "synthetic", seed=11, n_songs=30, workers=1, progress=False)
    for path in sorted((shared_msd / "tracks").glob("*.h5"))[:4]:
        (source / "real").mkdir(parents=True, exist_ok=True)
        (source / "real" / path.name).write_bytes(path.read_bytes())
    outputs = {}
    for engine in ("local", "dask"):
        found = catalog.scan(source, min_segments=3, workers=2, batch_size=5, engine=engine,
                             progress=False)
        out = tmp_path / engine
        extract(found.songs, out, seq_len=40, min_segments=3, workers=2, batch_size=5,
                engine=engine, progress=False)
        outputs[engine] = (found, out)
    (local_found, local_out), (dask_found, dask_out) = outputs["local"], outputs["dask"]
    pd.testing.assert_frame_equal(local_found.songs, dask_found.songs)
    assert len(local_found.songs) == 34
    for name in ("audio_stats.parquet", "zscore.json", "terms.parquet"):
        assert filecmp.cmp(local_out / name, dask_out / name, shallow=False), name
    local_seq, dask_seq = load_sequences(local_out), load_sequences(dask_out)
    assert local_seq[0] == dask_seq[0]
    np.testing.assert_array_equal(local_seq[1], dask_seq[1])
    np.testing.assert_array_equal(local_seq[2], dask_seq[2])
