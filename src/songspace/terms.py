"""Each song's artist_terms, kept beside the features so later stages need not reread the
source: terms.parquet holds track_id, terms, weights and freqs (lists), in subset order."""

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

TERMS_FILE = "terms.parquet"
SCHEMA = pa.schema([("track_id", pa.string()), ("terms", pa.list_(pa.string())),
                    ("weights", pa.list_(pa.float64())), ("freqs", pa.list_(pa.float64()))])
ROW_GROUP = 4096  # songs per Parquet row group, as in features/store.py


class TermsWriter:
    """Streams each song's terms to terms.parquet, a row group at a time, renamed into place
    by finish(). Holding every song's terms as Python lists until the end cost about 3 KB per
    song (150 MB at 50,000 songs, gigabytes on the full MSD): extraction's memory must not
    grow with the number of songs."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / TERMS_FILE
        self._tmp = self.path.with_name(f".{TERMS_FILE}.tmp")
        self._writer: pq.ParquetWriter | None = None
        self._finished = False
        self._clear()

    def _clear(self) -> None:
        self.rows: dict[str, list] = {name: [] for name in SCHEMA.names}

    def __enter__(self) -> "TermsWriter":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(self._tmp, SCHEMA)
        return self

    def add(self, track_id: str, terms: list[str], weights, freqs) -> None:
        self.rows["track_id"].append(track_id)
        self.rows["terms"].append(list(terms))
        self.rows["weights"].append([float(w) for w in weights])
        self.rows["freqs"].append([float(f) for f in freqs])
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


def load_terms(features_dir: str | Path) -> dict[str, list]:
    """Columns of terms.parquet as Python lists."""
    return pq.read_table(Path(features_dir) / TERMS_FILE).to_pydict()
