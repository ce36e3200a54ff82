"""Each song's artist id and the MSD's similar artists of that artist, kept beside the
features so the retrieval figures need not reread the source: similar.parquet holds
track_id, artist_id and similar_artists (a list of Echo Nest artist ids), in subset order."""

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from songspace.errors import SongspaceError

SIMILAR_FILE = "similar.parquet"
SCHEMA = pa.schema([("track_id", pa.string()), ("artist_id", pa.string()),
                    ("similar_artists", pa.list_(pa.string()))])
ROW_GROUP = 4096  # songs per Parquet row group, as in features/store.py


class SimilarWriter:
    """Streams rows to similar.parquet a row group at a time (memory flat in the number of
    songs, like TermsWriter), renamed into place by finish()."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / SIMILAR_FILE
        self._tmp = self.path.with_name(f".{SIMILAR_FILE}.tmp")
        self._writer: pq.ParquetWriter | None = None
        self._finished = False
        self._clear()

    def _clear(self) -> None:
        self.rows: dict[str, list] = {name: [] for name in SCHEMA.names}

    def __enter__(self) -> "SimilarWriter":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(self._tmp, SCHEMA)
        return self

    def add(self, track_id: str, artist_id: str, similar_artists: list[str]) -> None:
        self.rows["track_id"].append(track_id)
        self.rows["artist_id"].append(artist_id)
        self.rows["similar_artists"].append(list(similar_artists))
        if len(self.rows["track_id"]) >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.rows["track_id"]:
            self._writer.write_table(pa.Table.from_pydict(self.rows, schema=SCHEMA))
            self._clear()

    def finish(self) -> None:
        self._flush()
        self._writer.close()
        os.replace(self._tmp, self.path)
        self._finished = True

    def __exit__(self, *exc) -> None:
        if not self._finished:
            self._writer.close()
            self._tmp.unlink(missing_ok=True)


def load_similar(features_dir: str | Path, track_ids: list[str] | None = None
                 ) -> dict[str, list]:
    """Columns of similar.parquet as Python lists; with ``track_ids``, checked to list the
    same songs in the same order (the labels' and latents' order)."""
    path = Path(features_dir) / SIMILAR_FILE
    if not path.exists():
        raise SongspaceError(f"{path} not found; run `dvc repro extract_features`")
    columns = pq.read_table(path).to_pydict()
    if track_ids is not None and columns["track_id"] != list(track_ids):
        raise SongspaceError(f"{path} and data/labels/genres.csv list different songs or "
                             "orders; rerun `dvc repro`")
    return columns
