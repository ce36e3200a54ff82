"""Each song's artist_terms, kept beside the features so later stages need not reread the
source: terms.parquet holds track_id, terms, weights and freqs (lists), in subset order."""

from pathlib import Path

from songspace.features.parquet_rows import ParquetRows

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

TERMS_FILE = "terms.parquet"
SCHEMA = pa.schema([("track_id", pa.string()), ("terms", pa.list_(pa.string())),
                    ("weights", pa.list_(pa.float64())), ("freqs", pa.list_(pa.float64()))])


class TermsWriter(ParquetRows):
    """Streams each song's terms to terms.parquet (memory flat in the number of songs)."""

    file_name, schema = TERMS_FILE, SCHEMA

    def add(self, track_id: str, terms: list[str], weights, freqs) -> None:
        self.append({"track_id": track_id, "terms": list(terms),
                     "weights": np.asarray(weights, np.float64).tolist(),
                     "freqs": np.asarray(freqs, np.float64).tolist()})


def load_terms(features_dir: str | Path, columns: list[str] | None = None) -> dict[str, list]:
    """Columns of terms.parquet (all, or ``columns``) as Python lists."""
    return pq.read_table(Path(features_dir) / TERMS_FILE, columns=columns).to_pydict()
