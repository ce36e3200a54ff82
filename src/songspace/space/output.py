"""What `songspace embed` writes: OUT.parquet, one row per embedded song (track_id, title,
artist_name, and ``vector``, a fixed-size list of float32), and beside it
OUT.skipped.csv, the songs and files that could not be embedded, with the reason (the
columns of data/subset/skipped.csv). Both appear only once the run has succeeded.
"""

import tempfile
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.features.parquet_rows import ParquetRows
from songspace.io import atomic_path
from songspace.space.trained import Embedded, Space

import numpy as np
import pandas as pd
import pyarrow as pa

OUTPUT_COLUMNS = ("track_id", "title", "artist_name")


class EmbeddingWriter(ParquetRows):
    """OUT.parquet, streamed a part at a time and renamed into place by finish()."""

    def __init__(self, path: Path, latent_dim: int):
        self.file_name = path.name
        self.schema = pa.schema([*((name, pa.string()) for name in OUTPUT_COLUMNS),
                                 ("vector", pa.list_(pa.float32(), latent_dim))])
        super().__init__(path.parent)

    def add(self, part: Embedded) -> None:
        if part.songs.empty:
            return
        vectors = np.ascontiguousarray(part.vectors, dtype=np.float32)
        columns = [pa.array(part.songs[name].tolist(), pa.string()) for name in OUTPUT_COLUMNS]
        vector = pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)),
                                                   vectors.shape[1])
        self.write_table(pa.Table.from_arrays([*columns, vector], schema=self.schema))


def skipped_path(out: Path) -> Path:
    """dev.parquet -> dev.skipped.csv"""
    return out.with_name(f"{out.stem}.skipped.csv")


def check_writable(out: Path) -> None:
    """Stop before reading anything when OUT cannot be written."""
    if out.is_dir():
        raise SongspaceError(f"-o {out} is a directory; give a file name such as "
                             f"{out / 'embeddings.parquet'}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}."):
            pass
    except OSError as error:
        raise SongspaceError(f"-o {out} cannot be written ({error.strerror or error})") from None


def write_skipped(out: Path, skipped: pd.DataFrame) -> None:
    with atomic_path(skipped_path(out)) as tmp:
        skipped.to_csv(tmp, index=False)


def write_embeddings(space: Space, sources: list[Path], out: Path, progress: bool = False
                     ) -> tuple[int, pd.DataFrame]:
    """Embed every song of ``sources`` into OUT and OUT.skipped.csv; (songs written, the
    skipped list). Nothing is left at OUT when it fails, or when no song could be embedded."""
    check_writable(out)
    written, skipped = 0, []
    with EmbeddingWriter(out, space.latent_dim) as writer:
        for part in space.iter_embed(sources, progress=progress):
            writer.add(part)
            written += len(part.songs)
            skipped.append(part.skipped)
        skipped = pd.concat(skipped, ignore_index=True)
        if not written:
            raise SongspaceError(f"no song of {', '.join(map(str, sources))} could be embedded: "
                                 + _why(skipped))
        write_skipped(out, skipped)
        writer.finish()
    return written, skipped


def _why(skipped: pd.DataFrame) -> str:
    if skipped.empty:
        return "it holds no MSD .h5 files"
    first = skipped.iloc[0]
    counts = ", ".join(f"{n} {reason}" for reason, n in skipped["reason"].value_counts().items())
    return f"{counts} (first: {first['source_file']}: {first['detail']})"
