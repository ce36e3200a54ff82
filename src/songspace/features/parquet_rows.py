"""A Parquet table written a row group at a time and renamed into place when finished.

Holding every song's lists (terms, similar artists) until the end would cost kilobytes per
song (gigabytes on the full MSD): extraction's memory must not grow with the number of
songs. Subclasses name the file and the schema and turn one song into one row; rows
packed elsewhere come in as Arrow record batches (append_batch).
"""

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP = 4096  # songs per Parquet row group, as in features/store.py


class ParquetRows:
    """Context manager: ``append(row)`` per song, ``finish()`` to publish the file; leaving
    without finish() removes the temporary file, so nothing partial is ever in place."""

    file_name: str
    schema: pa.Schema

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / self.file_name
        self._tmp = self.path.with_name(f".{self.file_name}.tmp")
        self._writer: pq.ParquetWriter | None = None
        self._finished = False
        self._clear()

    def _clear(self) -> None:
        self.rows: dict[str, list] = {name: [] for name in self.schema.names}
        self.batches: list[pa.RecordBatch] = []
        self.batched_rows = 0

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(self._tmp, self.schema)
        return self

    def append(self, row: dict) -> None:
        if self.batched_rows:
            raise RuntimeError("append after append_batch: write a table's rows one way")
        for name, column in self.rows.items():
            column.append(row[name])
        if len(self.rows[self.schema.names[0]]) >= ROW_GROUP:
            self._flush()

    def append_batch(self, batch: pa.RecordBatch) -> None:
        """Rows already gathered in a batch (schema ``schema``); they are written in row
        groups of ROW_GROUP rows, so the file's bytes are those append(row) gives."""
        if self.rows[self.schema.names[0]]:
            raise RuntimeError("append_batch after append: write a table's rows one way")
        self.batches.append(batch)
        self.batched_rows += batch.num_rows
        while self.batched_rows >= ROW_GROUP:
            table = self._gathered()
            self._writer.write_table(table.slice(0, ROW_GROUP))
            rest = table.slice(ROW_GROUP)
            self.batches, self.batched_rows = rest.to_batches(), rest.num_rows

    def write_table(self, table: pa.Table) -> None:
        """Rows already gathered in a table (schema ``schema``), after any appended ones."""
        self._flush()
        self._writer.write_table(table)

    def _flush(self) -> None:
        if self.rows[self.schema.names[0]]:
            self._writer.write_table(pa.Table.from_pydict(self.rows, schema=self.schema))
        if self.batched_rows:
            self._writer.write_table(self._gathered())
        self._clear()

    def _gathered(self) -> pa.Table:
        """The appended batches not yet written, as one table of unchunked columns."""
        return pa.Table.from_batches(self.batches, self.schema).combine_chunks()

    def finish(self) -> None:
        self._flush()
        self._writer.close()
        os.replace(self._tmp, self.path)
        self._finished = True

    def __exit__(self, *exc) -> None:
        if not self._finished:
            self._writer.close()
            self._tmp.unlink(missing_ok=True)
