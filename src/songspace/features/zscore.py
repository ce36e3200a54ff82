"""Z-score normalisation fitted once on the subset's features and applied by every model.

Statistics are accumulated while features are written (sums, not lists), so fitting costs no
second pass and no memory that grows with the number of songs.
"""

from dataclasses import dataclass, field
from pathlib import Path

from songspace.io import read_json, write_json

import numpy as np


def column_sums(rows: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """How many rows, and their column sums and sums of squares in float64."""
    rows = np.asarray(rows, dtype=np.float64)
    return len(rows), rows.sum(axis=0), (rows * rows).sum(axis=0)


@dataclass
class RunningMoments:
    """Column sums for a streaming mean and std."""

    count: np.ndarray | float = 0.0
    total: np.ndarray | float = 0.0
    squares: np.ndarray | float = 0.0

    def add(self, rows: np.ndarray, weights: np.ndarray | None = None) -> None:
        if weights is None:
            self.add_sums(*column_sums(rows))
        else:
            rows = np.asarray(rows, dtype=np.float64)
            self.count = self.count + weights.sum(axis=0)
            self.total = self.total + (rows * weights).sum(axis=0)
            self.squares = self.squares + (rows * rows * weights).sum(axis=0)

    def add_sums(self, count: int, total: np.ndarray, squares: np.ndarray) -> None:
        """Add rows already summed by column_sums (in another process, say): the same
        additions in the same order as add(rows), so the same bits."""
        self.count = self.count + count
        self.total = self.total + total
        self.squares = self.squares + squares

    def mean_std(self) -> tuple[np.ndarray, np.ndarray]:
        count = np.maximum(self.count, 1)
        mean = self.total / count
        var = np.maximum(self.squares / count - mean * mean, 0.0)
        std = np.sqrt(var)
        return mean, np.where(std > 1e-12, std, 1.0)


@dataclass
class ZScore:
    """Means and stds of the 144 statistics and of the 24 sequence channels."""

    stats_mean: np.ndarray
    stats_std: np.ndarray
    seq_mean: np.ndarray
    seq_std: np.ndarray
    columns: list[str] = field(default_factory=list)

    def save(self, path: str | Path) -> None:
        write_json(path, {
            "columns": self.columns,
            "stats": {"mean": self.stats_mean.tolist(), "std": self.stats_std.tolist()},
            "sequences": {"mean": self.seq_mean.tolist(), "std": self.seq_std.tolist()},
        })

    @classmethod
    def load(cls, path: str | Path) -> "ZScore":
        data = read_json(path)
        return cls(np.array(data["stats"]["mean"]), np.array(data["stats"]["std"]),
                   np.array(data["sequences"]["mean"]), np.array(data["sequences"]["std"]),
                   data["columns"])

    def stats(self, table: np.ndarray) -> np.ndarray:
        """Z-score (n, 144) statistics."""
        return ((table - self.stats_mean) / self.stats_std).astype(np.float32)

    def sequences(self, sequences: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Z-score (n, 24, L) sequences per channel; padding past each length stays 0."""
        scaled = (sequences - self.seq_mean[None, :, None]) / self.seq_std[None, :, None]
        mask = np.arange(sequences.shape[2])[None, :] < np.asarray(lengths)[:, None]
        return (scaled * mask[:, None, :]).astype(np.float32)
