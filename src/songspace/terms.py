"""Each song's artist_terms, kept beside the features so later stages need not reread the
source: terms.parquet holds track_id, terms, weights and freqs (lists), in subset order."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from songspace.io import atomic_path

TERMS_FILE = "terms.parquet"
SCHEMA = pa.schema([("track_id", pa.string()), ("terms", pa.list_(pa.string())),
                    ("weights", pa.list_(pa.float64())), ("freqs", pa.list_(pa.float64()))])


class TermsWriter:
    """Collects terms per song (small: a few dozen words each) and writes them once."""

    def __init__(self):
        self.rows: dict[str, list] = {name: [] for name in SCHEMA.names}

    def add(self, track_id: str, terms: list[str], weights, freqs) -> None:
        self.rows["track_id"].append(track_id)
        self.rows["terms"].append(list(terms))
        self.rows["weights"].append([float(w) for w in weights])
        self.rows["freqs"].append([float(f) for f in freqs])

    def write(self, out_dir: Path) -> None:
        table = pa.Table.from_pydict(self.rows, schema=SCHEMA)
        with atomic_path(Path(out_dir) / TERMS_FILE) as tmp:
            pq.write_table(table, tmp)


def load_terms(features_dir: str | Path) -> dict[str, list]:
    """Columns of terms.parquet as Python lists."""
    return pq.read_table(Path(features_dir) / TERMS_FILE).to_pydict()
