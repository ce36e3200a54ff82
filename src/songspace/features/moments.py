"""Per-song summary statistics: six moments of each of the 24 timbre and chroma channels."""

import numpy as np

MOMENTS = ("mean", "std", "min", "max", "skew", "kurtosis")
CHANNELS = [f"timbre_{i:02d}" for i in range(12)] + [f"pitch_{i:02d}" for i in range(12)]
STAT_COLUMNS = [f"{channel}_{moment}" for channel in CHANNELS for moment in MOMENTS]
N_STATS = len(STAT_COLUMNS)  # 144


def song_moments(segments: np.ndarray) -> np.ndarray:
    """(n_segments, 24) -> (144,), channel-major, moments in MOMENTS order.

    std uses ddof=0; skew and kurtosis are scipy.stats' defaults (biased, Fisher). A
    moment that is undefined for a constant channel is 0.

    The central moments are computed in one vectorised pass with the same formulas as
    scipy.stats.skew/kurtosis (m3 / m2^1.5, m4 / m2^2 - 3); calling scipy per song costs
    more than reading the file (profiled: 2.5 ms of 8 ms per song). Tests check the two agree.
    """
    mean = segments.mean(axis=0)
    centred = segments - mean
    squared = centred * centred
    m2 = squared.mean(axis=0)
    m3 = (squared * centred).mean(axis=0)
    m4 = (squared * squared).mean(axis=0)
    constant = m2 <= (1e-12 * np.maximum(1.0, np.abs(mean))) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = np.where(constant, 0.0, m3 / m2**1.5)
        kurtosis = np.where(constant, 0.0, m4 / (m2 * m2) - 3.0)
    table = np.stack([mean, np.sqrt(m2), segments.min(axis=0), segments.max(axis=0),
                      skew, kurtosis], axis=1)  # (24, 6)
    return table.reshape(-1)


def song_sequence(segments: np.ndarray, seq_len: int) -> tuple[np.ndarray, int]:
    """(n_segments, 24) -> (24, seq_len) float32 truncated or zero-padded, and the true length."""
    length = min(len(segments), seq_len)
    sequence = np.zeros((segments.shape[1], seq_len), dtype=np.float32)
    sequence[:, :length] = segments[:length].T
    return sequence, length
