"""Per-song summary statistics: six moments of each of the 24 timbre and chroma channels."""

import warnings

import numpy as np
from scipy import stats

MOMENTS = ("mean", "std", "min", "max", "skew", "kurtosis")
CHANNELS = [f"timbre_{i:02d}" for i in range(12)] + [f"pitch_{i:02d}" for i in range(12)]
STAT_COLUMNS = [f"{channel}_{moment}" for channel in CHANNELS for moment in MOMENTS]
N_STATS = len(STAT_COLUMNS)  # 144


def song_moments(segments: np.ndarray) -> np.ndarray:
    """(n_segments, 24) -> (144,), channel-major, moments in MOMENTS order.

    std uses ddof=0; skew and kurtosis are scipy.stats' defaults (biased, Fisher). A
    moment that is undefined for a constant channel is 0.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        skew = stats.skew(segments, axis=0)
        kurtosis = stats.kurtosis(segments, axis=0)
    std = segments.std(axis=0)
    constant = std <= 1e-12 * np.maximum(1.0, np.abs(segments).max(axis=0))
    skew = np.where(constant | ~np.isfinite(skew), 0.0, skew)
    kurtosis = np.where(constant | ~np.isfinite(kurtosis), 0.0, kurtosis)
    table = np.stack([segments.mean(axis=0), std, segments.min(axis=0), segments.max(axis=0),
                      skew, kurtosis], axis=1)  # (24, 6)
    return table.reshape(-1)


def song_sequence(segments: np.ndarray, seq_len: int) -> tuple[np.ndarray, int]:
    """(n_segments, 24) -> (24, seq_len) float32 truncated or zero-padded, and the true length."""
    length = min(len(segments), seq_len)
    sequence = np.zeros((segments.shape[1], seq_len), dtype=np.float32)
    sequence[:, :length] = segments[:length].T
    return sequence, length
