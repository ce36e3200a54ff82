"""Draw one synthetic song (its Echo Nest analysis and metadata) from its artist and genre."""

from songspace.synthetic.vocabulary import TITLE_WORDS
from songspace.synthetic.world import (
    MAJOR_PROFILE,
    MEDIAN_SEGMENTS,
    MINOR_PROFILE,
    SEGMENT_SECONDS,
    SONG_SCALE,
    TIMBRE_SEGMENT_STD,
    TIMBRE_SONG_SPREAD,
    Artist,
    GenreSound,
    _random_code,
    _track_id,
)

import numpy as np
from scipy.signal import lfilter

SHORT_SONG_SHARE = 0.005  # a few very short tracks, as in the real data
CHROMA_SONG_SHAPE = 2.0  # gamma shape of each song's own weighting of the 12 pitch classes


def _segment_count(rng: np.random.Generator) -> int:
    if rng.random() < SHORT_SONG_SHARE:
        return int(rng.integers(4, 30))
    return int(np.clip(rng.lognormal(np.log(MEDIAN_SEGMENTS), 0.45), 30, 3300))


def _timbre(rng, genre, artist, n: int) -> np.ndarray:
    centre = (genre.timbre_centre + artist.timbre_offset
              + rng.normal(size=12) * TIMBRE_SONG_SPREAD * SONG_SCALE)
    a = genre.smoothness
    noise = lfilter([np.sqrt(1 - a * a)], [1, -a], rng.normal(size=(n, 12)), axis=0)
    timbre = centre + noise * TIMBRE_SEGMENT_STD * genre.timbre_texture
    timbre[:, 0] = np.clip(timbre[:, 0], 0.0, 60.0)  # loudness-like dimension
    return timbre


def _pitches(rng, genre, n: int) -> np.ndarray:
    """Per-segment chroma around the song's key, each segment's maximum scaled to 1."""
    profile = MAJOR_PROFILE if rng.random() < genre.major_share else MINOR_PROFILE
    profile = np.roll(profile / profile.max(), int(rng.integers(12))) ** genre.chroma_sharpness
    # Each song leans on its own notes (melody, modulations): without this, song chroma
    # means collapse onto 24 key templates and every genre splits into 24 tight islands.
    profile = profile * rng.gamma(shape=CHROMA_SONG_SHAPE, scale=1 / CHROMA_SONG_SHAPE, size=12)
    chroma = profile * rng.gamma(shape=1.5, scale=1 / 1.5, size=(n, 12))
    return chroma / chroma.max(axis=1, keepdims=True)


def _onsets(rng, duration: float, period: float) -> np.ndarray:
    if period <= 0 or duration <= 0:
        return np.zeros(0)
    starts = np.arange(rng.uniform(0, period), duration, period)
    return np.round(starts, 5)


def make_song(artist: Artist, genre: GenreSound, index: int, seed: int) -> dict:
    """All arrays and table rows of song ``index``, deterministic in (seed, index)."""
    rng = np.random.default_rng([seed, 1, index])
    n = _segment_count(rng)
    timbre = np.round(_timbre(rng, genre, artist, n), 3)
    pitches = np.round(_pitches(rng, genre, n), 3)
    seg_len = rng.gamma(4.0, SEGMENT_SECONDS / 4.0, size=n)
    seg_start = np.round(np.concatenate([[0.0], np.cumsum(seg_len)[:-1]]), 5)
    duration = float(seg_start[-1] + seg_len[-1])
    tempo = float(np.clip(genre.tempo + 12 * rng.normal(), 50, 220))
    beats = _onsets(rng, duration, 60.0 / tempo)
    bars = beats[::4]
    tatums = _onsets(rng, duration, 30.0 / tempo)
    sections = _onsets(rng, duration, rng.uniform(20, 40))
    loudness_max = np.round(-60 + timbre[:, 0] + rng.normal(scale=2, size=n), 3)
    words = rng.choice(TITLE_WORDS, size=rng.integers(1, 4))
    return {
        "track_id": _track_id(rng),
        "song_id": _random_code(rng, "SO"),
        "title": " ".join(words),
        "artist": artist,
        "arrays": {
            "segments_timbre": timbre,
            "segments_pitches": pitches,
            "segments_start": seg_start,
            "segments_confidence": np.round(rng.uniform(0, 1, n), 3),
            "segments_loudness_max": loudness_max,
            "segments_loudness_max_time": np.round(rng.uniform(0, 0.3, n), 5),
            "segments_loudness_start": np.round(loudness_max - rng.uniform(3, 15, n), 3),
            "beats_start": beats, "beats_confidence": np.round(rng.uniform(0, 1, beats.size), 3),
            "bars_start": bars, "bars_confidence": np.round(rng.uniform(0, 1, bars.size), 3),
            "tatums_start": tatums,
            "tatums_confidence": np.round(rng.uniform(0, 1, tatums.size), 3),
            "sections_start": sections,
            "sections_confidence": np.round(rng.uniform(0, 1, sections.size), 3),
        },
        "duration": duration,
        "tempo": tempo,
        "loudness": float(np.round(loudness_max.mean(), 3)),
        "key": int(rng.integers(12)),
        "mode": int(rng.random() < genre.major_share),
        "year": int(0 if rng.random() < 0.52 else rng.integers(1960, 2011)),
        "song_hotttnesss": float("nan") if rng.random() < 0.4 else float(rng.uniform(0, 1)),
    }
