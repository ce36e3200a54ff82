"""Where features live on disk, and the one way to read them back.

- audio_stats.parquet: track_id + 144 raw moment columns, in subset order
- sequences.h5: sequences (N, 24, L) float32, lengths (N,), track_id (N,)
- zscore.json: means and stds for both, fitted on the same songs
"""

import math
import os
from collections.abc import Iterator
from pathlib import Path

from songspace.features.moments import STAT_COLUMNS
from songspace.features.zscore import ZScore

import h5py
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

STATS_FILE = "audio_stats.parquet"
SEQUENCES_FILE = "sequences.h5"
ZSCORE_FILE = "zscore.json"
ROW_GROUP = 4096


class FeatureWriter:
    """Streams rows to temporary files and renames them into place on finish()."""

    columns = STAT_COLUMNS

    def __init__(self, out_dir: Path, n_songs: int, seq_len: int):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.n_songs, self.seq_len = n_songs, seq_len
        self.schema = pa.schema([("track_id", pa.string())]
                                + [(c, pa.float64()) for c in STAT_COLUMNS])
        self._tmp = {name: self.out_dir / f".{name}.tmp" for name in (STATS_FILE, SEQUENCES_FILE)}
        self._parquet = None
        self._h5 = None
        # one row group's rows, filled in place: stacking 4,096 arrays at each flush took a
        # tenth of extraction's own process
        self._ids: list[str] = []
        self._moments = np.empty((ROW_GROUP, len(STAT_COLUMNS)))
        self._sequences = np.empty((ROW_GROUP, 24, seq_len), np.float32)
        self._lengths = np.empty(ROW_GROUP, np.int32)
        self._written = 0
        self._finished = False

    def __enter__(self) -> "FeatureWriter":
        self._parquet = pq.ParquetWriter(self._tmp[STATS_FILE], self.schema)
        self._h5 = h5py.File(self._tmp[SEQUENCES_FILE], "w")
        chunk = (max(1, min(64, self.n_songs)), 24, self.seq_len)
        self._h5.create_dataset("sequences", shape=(self.n_songs, 24, self.seq_len),
                                dtype="float32", chunks=chunk)
        self._h5.create_dataset("lengths", shape=(self.n_songs,), dtype="int32")
        self._h5.create_dataset("track_id", shape=(self.n_songs,), dtype="S32")
        return self

    def add_block(self, track_ids: list[str], moments: np.ndarray, sequences: np.ndarray,
                  lengths: np.ndarray) -> None:
        """Consecutive songs' rows: (n, 144) moments, (n, 24, L) sequences, (n,) lengths."""
        done = 0
        while done < len(track_ids):
            row = len(self._ids)
            take = min(ROW_GROUP - row, len(track_ids) - done)
            self._ids += track_ids[done:done + take]
            self._moments[row:row + take] = moments[done:done + take]
            self._sequences[row:row + take] = sequences[done:done + take]
            self._lengths[row:row + take] = lengths[done:done + take]
            done += take
            if len(self._ids) >= ROW_GROUP:
                self._flush()

    def _flush(self) -> None:
        if not self._ids:
            return
        ids, n = self._ids, len(self._ids)
        table = self._moments[:n]
        arrays = [pa.array(ids, pa.string())] + [pa.array(table[:, j]) for j in
                                                 range(table.shape[1])]
        self._parquet.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        start, stop = self._written, self._written + n
        self._h5["sequences"][start:stop] = self._sequences[:n]
        self._h5["lengths"][start:stop] = self._lengths[:n]
        self._h5["track_id"][start:stop] = [t.encode() for t in ids]
        self._written = stop
        self._ids = []

    def finish(self, zscore: ZScore) -> None:
        self._flush()
        if self._written != self.n_songs:
            raise RuntimeError(f"wrote {self._written} of {self.n_songs} songs")
        self._close()
        for name, tmp in self._tmp.items():
            os.replace(tmp, self.out_dir / name)
        zscore.save(self.out_dir / ZSCORE_FILE)
        self._finished = True

    def _close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._h5 is not None:
            self._h5.close()
            self._h5 = None

    def __exit__(self, *exc) -> None:
        self._close()
        if not self._finished:
            for tmp in self._tmp.values():
                tmp.unlink(missing_ok=True)


def iter_stats(features_dir: str | Path, limit: int | None = None, rows: int = 65536
               ) -> Iterator[tuple[list[str], np.ndarray]]:
    """Track ids and raw statistics, ``rows`` songs at a time in subset order (the first
    ``limit``): at 1,000,000 songs the whole table is 1.2 GB, twice over while converted."""
    left = math.inf if limit is None else limit
    for batch in pq.ParquetFile(Path(features_dir) / STATS_FILE).iter_batches(rows):
        if left <= 0:
            return
        batch = batch.slice(0, min(left, batch.num_rows))
        left -= batch.num_rows
        values = np.column_stack([batch.column(c).to_numpy() for c in STAT_COLUMNS])
        yield batch.column("track_id").to_pylist(), values


def count_songs(features_dir: str | Path) -> int:
    return pq.ParquetFile(Path(features_dir) / STATS_FILE).metadata.num_rows


def load_stats(features_dir: str | Path, limit: int | None = None
               ) -> tuple[list[str], np.ndarray]:
    """Track ids and the raw (N, 144) statistics, in subset order (the first ``limit``)."""
    ids, blocks = [], []
    for block_ids, values in iter_stats(features_dir, limit):
        ids += block_ids
        blocks.append(values)
    return ids, np.concatenate(blocks) if blocks else np.zeros((0, len(STAT_COLUMNS)))


def load_sequences(features_dir: str | Path, limit: int | None = None
                   ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Track ids, raw (N, 24, L) sequences and true lengths, in subset order (the first
    ``limit``)."""
    rows = slice(limit)
    with h5py.File(Path(features_dir) / SEQUENCES_FILE, "r") as h5:
        ids = [t.decode() for t in h5["track_id"][rows]]
        return ids, h5["sequences"][rows], h5["lengths"][rows]


def sequence_length(features_dir: str | Path) -> int:
    """L, the segments per stored sequence (features.seq_len when they were extracted)."""
    with h5py.File(Path(features_dir) / SEQUENCES_FILE, "r") as h5:
        return int(h5["sequences"].shape[2])


def load_sequence_index(features_dir: str | Path) -> tuple[list[str], np.ndarray, int]:
    """Track ids, true lengths and L of sequences.h5, without the sequences themselves."""
    with h5py.File(Path(features_dir) / SEQUENCES_FILE, "r") as h5:
        ids = [t.decode() for t in h5["track_id"][:]]
        return ids, h5["lengths"][:], h5["sequences"].shape[2]


def read_sequence_rows(features_dir: str | Path, rows: slice | np.ndarray) -> np.ndarray:
    """Raw sequences of some songs: a slice, or increasing row numbers."""
    with h5py.File(Path(features_dir) / SEQUENCES_FILE, "r") as h5:
        return h5["sequences"][rows]


def load_zscore(features_dir: str | Path) -> ZScore:
    return ZScore.load(Path(features_dir) / ZSCORE_FILE)
