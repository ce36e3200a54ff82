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


def terms_batch(track_ids: list[str], terms: list[list[str]], weights: list, freqs: list
                ) -> pa.RecordBatch:
    """terms.parquet's rows of some songs, as TermsWriter.add would write them one by one."""
    return pa.RecordBatch.from_arrays(
        [pa.array(track_ids, pa.string()), pa.array(terms, SCHEMA.field("terms").type),
         float_lists(weights), float_lists(freqs)], schema=SCHEMA)


def float_lists(arrays: list) -> pa.ListArray:
    """A list<double> column of 1-d arrays: one concatenation instead of a Python float each."""
    lengths = np.fromiter((len(a) for a in arrays), np.int32, len(arrays))
    offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int32)])
    values = np.concatenate([np.asarray(a, np.float64) for a in arrays]) if arrays else []
    return pa.ListArray.from_arrays(offsets, pa.array(values, pa.float64()))


def load_terms(features_dir: str | Path, columns: list[str] | None = None) -> dict[str, list]:
    """Columns of terms.parquet (all, or ``columns``) as Python lists."""
    return pq.read_table(Path(features_dir) / TERMS_FILE, columns=columns).to_pydict()
