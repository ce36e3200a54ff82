"""Model inputs handed out a block of rows at a time, never held whole in the form a model reads.

Training gathers each batch as ``inputs[rows]`` (a LongTensor of songs) and the latents read
``inputs[start:stop]``; a torch tensor answers both. Two inputs must not be held whole as
dense tensors at 1,000,000 songs: the TF-IDF (1,000 words: 4 GB dense, 0.2 GB sparse) and the
z-scored sequences (9.6 GB, while the ConvVAE holds its own 9.6 GB prepared copy). These
stores keep the compact form and hand out dense float32 rows on demand, with the same values
a whole dense copy would hold.
"""

from pathlib import Path

from songspace.features.store import read_sequence_rows
from songspace.features.zscore import ZScore

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor


def _row_numbers(rows: Tensor | slice) -> np.ndarray | slice:
    return rows if isinstance(rows, slice) else rows.cpu().numpy()


class SparseRows:
    """A sparse (songs, words) matrix whose rows come out as dense float32 tensors."""

    dtype = np.dtype(np.float32)

    def __init__(self, matrix: sp.csr_matrix, device: torch.device | str = "cpu"):
        self.matrix = sp.csr_matrix(matrix, dtype=np.float32)
        self.device = torch.device(device)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.matrix.shape

    def __len__(self) -> int:
        return self.matrix.shape[0]

    def __getitem__(self, rows: Tensor | slice) -> Tensor:
        block = self.matrix[_row_numbers(rows)].toarray()
        return torch.from_numpy(block).to(self.device)

    def to(self, device: torch.device | str) -> "SparseRows":
        return SparseRows(self.matrix, device)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """Every row, dense (np.asarray): for a few songs, never in training."""
        return self.matrix.toarray().astype(dtype or self.dtype, copy=False)


class ZScoredSequences:
    """The (songs, 24, L) sequences of sequences.h5, read and z-scored a block at a time (the
    file is opened per block, so forked processes never share an HDF5 handle)."""

    dtype = np.dtype(np.float32)

    def __init__(self, features_dir: str | Path, zscore: ZScore, lengths: np.ndarray,
                 seq_len: int, device: torch.device | str = "cpu"):
        self.features_dir, self.zscore = Path(features_dir), zscore
        self.lengths, self.seq_len = np.asarray(lengths), seq_len
        self.device = torch.device(device)

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.lengths), len(self.zscore.seq_mean), self.seq_len)

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, rows: Tensor | slice) -> Tensor:
        rows = _row_numbers(rows)
        if isinstance(rows, slice):
            raw = read_sequence_rows(self.features_dir, rows)
        else:  # HDF5 reads rows in increasing order only
            order = np.argsort(rows, kind="stable")
            raw = np.empty((len(rows), *self.shape[1:]), np.float32)
            raw[order] = read_sequence_rows(self.features_dir, rows[order])
        scaled = self.zscore.sequences(raw, self.lengths[rows])
        return torch.from_numpy(scaled).to(self.device)

    def to(self, device: torch.device | str) -> "ZScoredSequences":
        return ZScoredSequences(self.features_dir, self.zscore, self.lengths, self.seq_len,
                                device)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """Every song, z-scored (np.asarray): for a few songs, never in training."""
        return self[0:len(self)].cpu().numpy().astype(dtype or self.dtype, copy=False)


RowStore = SparseRows | ZScoredSequences


def as_rows(array: np.ndarray | Tensor | RowStore, device: torch.device | str
            ) -> Tensor | RowStore:
    """An input array as what training indexes: a tensor on ``device`` sharing the numpy
    array's memory where it can (the seeds' processes then share one copy), or a row store."""
    if isinstance(array, RowStore):
        return array.to(device)
    return torch.as_tensor(array, device=device)
