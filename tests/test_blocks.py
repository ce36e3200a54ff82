"""Features handed to the writer in blocks: the files and the z-scoring do not depend on how
the songs were grouped, and equal what writing them one song at a time gives."""

from songspace.features import parquet_rows, store
from songspace.features.block import pack_block
from songspace.features.extract import write_features
from songspace.features.similar import SimilarWriter, similar_batch
from songspace.features.zscore import RunningMoments
from songspace.terms import TermsWriter, terms_batch

import numpy as np
import pytest


@pytest.fixture
def small_row_groups(monkeypatch):
    """Row groups of 10 songs, so blocks of 7 straddle them."""
    monkeypatch.setattr(parquet_rows, "ROW_GROUP", 10)
    monkeypatch.setattr(store, "ROW_GROUP", 10)


def random_rows(n: int, seq_len: int) -> list[tuple]:
    rng = np.random.default_rng(3)
    rows = []
    for i in range(n):
        length = int(rng.integers(1, seq_len + 1))
        sequence = np.zeros((24, seq_len), np.float32)
        sequence[:, :length] = rng.normal(size=(24, length))
        n_terms = int(rng.integers(0, 4))
        rows.append((f"TR{i:016d}", rng.normal(size=144), sequence, length,
                     ([f"term {j}" for j in range(n_terms)], rng.random(n_terms),
                      rng.random(n_terms)), (f"AR{i % 5}", [f"AR{j}" for j in range(i % 3)])))
    return rows


def write(rows, size, out, seq_len):
    blocks = [pack_block(rows[start:start + size], seq_len)
              for start in range(0, len(rows), size)]
    return write_features(blocks, [row[0] for row in rows], out, seq_len=seq_len,
                          progress=False)


def test_files_and_zscore_do_not_depend_on_the_blocks(tmp_path, small_row_groups):
    rows = random_rows(47, 12)
    zscores = [write(rows, size, tmp_path / str(size), 12) for size in (7, 47)]
    for name in ("audio_stats.parquet", "sequences.h5", "terms.parquet", "similar.parquet",
                 "zscore.json"):
        assert (tmp_path / "7" / name).read_bytes() == (tmp_path / "47" / name).read_bytes()
    stats, sequences = RunningMoments(), RunningMoments()
    for _, moments, sequence, length, _, _ in rows:  # one song at a time, in order
        stats.add(moments[None, :])
        sequences.add(sequence[:, :length].T.astype(np.float64))
    for zscore in zscores:
        for got, want in zip((zscore.stats_mean, zscore.stats_std, zscore.seq_mean,
                              zscore.seq_std), (*stats.mean_std(), *sequences.mean_std()),
                             strict=True):
            assert got.tobytes() == want.tobytes()


def test_batches_write_the_bytes_rows_do(tmp_path, small_row_groups):
    rows = random_rows(23, 4)
    with TermsWriter(tmp_path / "rows") as writer:
        for track_id, _, _, _, (terms, weights, freqs), _ in rows:
            writer.add(track_id, terms, weights, freqs)
        writer.finish()
    with TermsWriter(tmp_path / "batches") as writer:
        for start in range(0, 23, 6):
            part = rows[start:start + 6]
            terms, weights, freqs = ([r[4][k] for r in part] for k in range(3))
            writer.append_batch(terms_batch([r[0] for r in part], terms, weights, freqs))
        writer.finish()
    with SimilarWriter(tmp_path / "rows") as writer:
        for track_id, _, _, _, _, (artist_id, similar) in rows:
            writer.add(track_id, artist_id, similar)
        writer.finish()
    with SimilarWriter(tmp_path / "batches") as writer:
        for start in range(0, 23, 6):
            part = rows[start:start + 6]
            writer.append_batch(similar_batch([r[0] for r in part], [r[5][0] for r in part],
                                              [r[5][1] for r in part]))
        writer.finish()
    for name in ("terms.parquet", "similar.parquet"):
        assert (tmp_path / "rows" / name).read_bytes() == (tmp_path / "batches" / name).read_bytes()


def test_out_of_order_block_is_refused(tmp_path):
    rows = random_rows(5, 4)
    with pytest.raises(Exception, match="out of order"):
        write_features([pack_block(rows[::-1], 4)], [row[0] for row in rows], tmp_path,
                       seq_len=4, progress=False)
    assert not any(tmp_path.iterdir())
