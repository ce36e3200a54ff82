"""Features against an independent computation, and z-scoring."""

from songspace import catalog
from songspace.features.extract import extract
from songspace.features.moments import STAT_COLUMNS, channel_moments, channel_sequence
from songspace.features.store import load_sequences, load_stats, load_zscore
from songspace.terms import load_terms

import h5py
import numpy as np
import pandas as pd
import scipy.stats


def independent_moments(path) -> np.ndarray:
    """Straight from the file with h5py and scipy.stats, one channel at a time."""
    with h5py.File(path, "r") as h5:
        channels = np.concatenate([h5["analysis/segments_timbre"][:],
                                   h5["analysis/segments_pitches"][:]], axis=1)
    values = []
    for column in channels.T:
        values += [column.mean(), column.std(), column.min(), column.max(),
                   scipy.stats.skew(column), scipy.stats.kurtosis(column)]
    return np.array(values)


def test_column_names():
    assert len(STAT_COLUMNS) == 144
    assert STAT_COLUMNS[:3] == ["timbre_00_mean", "timbre_00_std", "timbre_00_min"]
    assert STAT_COLUMNS[-1] == "pitch_11_kurtosis"


def test_moments_agree_with_scipy_stats():
    rng = np.random.default_rng(1)
    segments = rng.gamma(2.0, size=(300, 24)) * rng.uniform(0.01, 100, size=24)
    moments = channel_moments(np.ascontiguousarray(segments.T)).reshape(24, 6)
    np.testing.assert_allclose(moments[:, 4], scipy.stats.skew(segments), rtol=1e-10)
    np.testing.assert_allclose(moments[:, 5], scipy.stats.kurtosis(segments), rtol=1e-10)
    np.testing.assert_allclose(moments[:, 1], segments.std(axis=0), rtol=1e-12)


def test_constant_channel_moments_are_zero():
    segments = np.random.default_rng(0).normal(size=(50, 24))
    segments[:, 3] = 7.0
    moments = channel_moments(np.ascontiguousarray(segments.T)).reshape(24, 6)
    np.testing.assert_array_equal(moments[3], [7.0, 0.0, 7.0, 7.0, 0.0, 0.0])
    assert np.isfinite(moments).all()


def test_sequence_truncated_or_padded():
    segments = np.arange(5 * 24, dtype=float).reshape(5, 24)
    padded, length = channel_sequence(segments.T, 8)
    assert padded.shape == (24, 8) and length == 5
    np.testing.assert_array_equal(padded[:, :5], segments.T)
    assert not padded[:, 5:].any()
    truncated, length = channel_sequence(segments.T, 3)
    assert length == 3
    np.testing.assert_array_equal(truncated, segments[:3].T)


def test_extract_real_files_matches_independent_computation(shared_msd, tmp_path):
    found = catalog.scan(shared_msd / "tracks", min_segments=3, workers=2, batch_size=3,
                         progress=False)
    extract(found.songs, tmp_path, seq_len=100, min_segments=3, workers=2, batch_size=3,
            progress=False)
    ids, values = load_stats(tmp_path)
    assert ids == found.songs["track_id"].tolist()
    for track_id, row in zip(ids, values, strict=True):
        expected = independent_moments(shared_msd / "tracks" / f"{track_id}.h5")
        np.testing.assert_allclose(row, expected, rtol=1e-6, atol=1e-4)
    table = pd.read_parquet(tmp_path / "audio_stats.parquet")
    assert list(table.columns) == ["track_id", *STAT_COLUMNS]
    seq_ids, sequences, lengths = load_sequences(tmp_path)
    assert seq_ids == ids and sequences.shape == (10, 24, 100)
    short = ids.index("TRAKORW128F1484DF0")
    assert lengths[short] == 10 and not sequences[short, :, 10:].any()
    terms = load_terms(tmp_path)
    assert terms["track_id"] == ids and all(len(t) for t in terms["terms"])


def test_zscore_is_fitted_on_the_songs(shared_msd, tmp_path):
    found = catalog.scan(shared_msd / "tracks", min_segments=3, workers=1, batch_size=4,
                         progress=False)
    extract(found.songs, tmp_path, seq_len=50, min_segments=3, workers=1, batch_size=4,
            progress=False)
    zscore = load_zscore(tmp_path)
    _, raw = load_stats(tmp_path)
    scaled = zscore.stats(raw)
    np.testing.assert_allclose(scaled.mean(axis=0), 0, atol=1e-4)
    varying = raw.std(axis=0) > 1e-9
    np.testing.assert_allclose(scaled.std(axis=0)[varying], 1, atol=1e-3)
    _, sequences, lengths = load_sequences(tmp_path)
    z_sequences = zscore.sequences(sequences, lengths)
    mask = np.arange(50)[None, :] < lengths[:, None]
    valid = z_sequences.transpose(1, 0, 2)[:, mask]  # (24, valid frames)
    np.testing.assert_allclose(valid.mean(axis=1), 0, atol=1e-3)
    np.testing.assert_allclose(valid.std(axis=1), 1, atol=1e-3)
    assert not z_sequences[~np.broadcast_to(mask[:, None, :], z_sequences.shape)].any()
