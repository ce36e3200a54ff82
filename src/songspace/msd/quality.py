"""The stated rule for odd songs: keep a song whenever it can be kept, report it otherwise.

- timbre and pitches must both be (n, 12) with the same n;
- segments holding a non-finite value (NaN, inf) or an absurd magnitude are dropped;
- a song left with fewer than ``min_segments`` segments is skipped;
- terms whose freq/weight arrays do not line up keep their words with unit weights.
"""

import dataclasses

from songspace.msd.reader import Song

import numpy as np

# Larger magnitudes overflow the 4th moment; real timbre stays within a few hundred.
MAX_ABS_VALUE = 1e6


class BadSong(Exception):
    """A song that cannot be used; ``kind`` is counted, the message is written to skipped.csv."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind


def clean_song(song: Song, min_segments: int) -> tuple[Song, int]:
    """Return the song with unusable segments dropped, and how many were dropped."""
    timbre, pitches = song.timbre, song.pitches
    for name, array in (("segments_timbre", timbre), ("segments_pitches", pitches)):
        if array.ndim != 2 or array.shape[1] != 12:
            raise BadSong("bad_shape",
                          f"{name} has shape {array.shape}, expected (n_segments, 12)")
    if timbre.shape[0] != pitches.shape[0]:
        raise BadSong("length_mismatch", f"segments_timbre has {timbre.shape[0]} segments but "
                      f"segments_pitches has {pitches.shape[0]}")
    if timbre.shape[0] == 0:
        raise BadSong("no_segments", "no segments")
    dropped = 0
    # |x| < MAX is False for NaN and inf too, so one comparison tests everything; nearly every
    # song passes the whole-array test, which costs a fifth of the per-segment mask.
    if not (np.abs(timbre).max() < MAX_ABS_VALUE and np.abs(pitches).max() < MAX_ABS_VALUE):
        with np.errstate(invalid="ignore"):
            usable = ((np.abs(timbre) < MAX_ABS_VALUE).all(axis=1)
                      & (np.abs(pitches) < MAX_ABS_VALUE).all(axis=1))
        dropped = int((~usable).sum())
        timbre, pitches = timbre[usable], pitches[usable]
    if timbre.shape[0] < min_segments:
        detail = f" after dropping {dropped} non-finite" if dropped else ""
        raise BadSong("too_few_segments", f"only {timbre.shape[0]} segments{detail} "
                      f"(features.min_segments = {min_segments})")
    n_terms = len(song.terms)
    freq, weight = song.terms_freq, song.terms_weight
    if len(freq) != n_terms or len(weight) != n_terms:
        freq = weight = np.ones(n_terms)
    if not (np.isfinite(freq).all() and np.isfinite(weight).all()):
        freq = np.nan_to_num(freq, nan=0.0, posinf=0.0, neginf=0.0)
        weight = np.nan_to_num(weight, nan=0.0, posinf=0.0, neginf=0.0)
    cleaned = dataclasses.replace(song, terms_freq=freq, terms_weight=weight, timbre=timbre,
                                  pitches=pitches)
    return cleaned, dropped
