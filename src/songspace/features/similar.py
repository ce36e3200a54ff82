"""Each song's artist id and the MSD's similar artists of that artist, kept beside the
features so the retrieval figures need not reread the source: similar.parquet holds
track_id, artist_id and similar_artists (a list of Echo Nest artist ids), in subset order."""

from pathlib import Path

from songspace.errors import SongspaceError
from songspace.features.parquet_rows import ParquetRows

import pyarrow as pa
import pyarrow.parquet as pq

SIMILAR_FILE = "similar.parquet"
SCHEMA = pa.schema([("track_id", pa.string()), ("artist_id", pa.string()),
                    ("similar_artists", pa.list_(pa.string()))])


class SimilarWriter(ParquetRows):
    """Streams each song's artist and similar artists to similar.parquet."""

    file_name, schema = SIMILAR_FILE, SCHEMA

    def add(self, track_id: str, artist_id: str, similar_artists: list[str]) -> None:
        self.append({"track_id": track_id, "artist_id": artist_id,
                     "similar_artists": list(similar_artists)})


def similar_batch(track_ids: list[str], artist_ids: list[str], similar: list[list[str]]
                  ) -> pa.RecordBatch:
    """similar.parquet's rows of some songs, as SimilarWriter.add would write them."""
    return pa.RecordBatch.from_arrays(
        [pa.array(track_ids, pa.string()), pa.array(artist_ids, pa.string()),
         pa.array(similar, SCHEMA.field("similar_artists").type)], schema=SCHEMA)


def read_similar(features_dir: str | Path, track_ids: list[str] | None = None) -> pa.Table:
    """similar.parquet as an Arrow table; with ``track_ids``, checked to list the same songs
    in the same order (the labels' and latents' order)."""
    path = Path(features_dir) / SIMILAR_FILE
    if not path.exists():
        raise SongspaceError(f"{path} not found; run `dvc repro extract_features`")
    table = pq.read_table(path)
    if track_ids is not None and table.column("track_id").to_pylist() != list(track_ids):
        raise SongspaceError(f"{path} and data/labels/genres.csv list different songs or "
                             "orders; rerun `dvc repro`")
    return table


def load_similar(features_dir: str | Path, track_ids: list[str] | None = None
                 ) -> dict[str, list]:
    """Columns of similar.parquet as Python lists (read_similar's checks)."""
    return read_similar(features_dir, track_ids).to_pydict()
