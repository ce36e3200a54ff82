"""The hidden world the synthetic songs are drawn from: genres with their sound, and artists.

Song-level audio = genre centre + artist offset + song offset, each scaled like the real
spread of song means (real_stats.json); ``separation`` scales only the genre centres, so it
moves the task from noise (0) to easy (large) without changing anything else.
"""

from dataclasses import dataclass, field

from songspace.synthetic.similar import plant_similar
from songspace.synthetic.vocabulary import (
    ARTIST_SUFFIXES,
    GENRES,
    NAME_SYLLABLES,
    NON_GENRE_TERMS,
    TAG_ONLY_GENRES,
)

import numpy as np

# Calibration read off real MSS tracks (../shared/msd/real_stats.json).
TIMBRE_MEAN = np.array([41.52, -3.31, 11.27, 2.34, -2.78, -6.07, -3.78, -1.4, 2.39, 2.42,
                        -0.21, 2.95])
TIMBRE_SEGMENT_STD = np.array([9.83, 75.75, 59.92, 46.99, 37.28, 35.17, 29.94, 24.89, 25.22,
                               20.06, 18.88, 19.92])
TIMBRE_SONG_SPREAD = np.array([6.58, 55.45, 38.76, 18.0, 21.93, 14.3, 15.59, 8.87, 13.54, 7.05,
                               5.05, 8.67])
MEDIAN_SEGMENTS = 780
SEGMENT_SECONDS = 0.288  # median duration 224 s over 780 segments

# Krumhansl-Kessler key profiles, the shape of real chroma.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

GENRE_CENTRE_SCALE = 0.55   # times TIMBRE_SONG_SPREAD, times separation
ARTIST_SCALE = 0.45
SONG_SCALE = 0.7
LABEL_NOISE = 0.12          # share of artists whose strongest tag is a related genre


@dataclass
class GenreSound:
    name: str
    timbre_centre: np.ndarray   # (12,) song-mean timbre
    timbre_texture: np.ndarray  # (12,) multiplier of the segment-level spread
    smoothness: float           # AR(1) coefficient between consecutive segments
    major_share: float          # share of songs in a major key
    chroma_sharpness: float     # exponent on the key profile: tonal (high) vs noisy (low)
    tempo: float


@dataclass
class Artist:
    artist_id: str
    name: str
    genre: int
    timbre_offset: np.ndarray
    terms: list[str]
    terms_freq: np.ndarray
    terms_weight: np.ndarray
    familiarity: float
    similar: list[str] = field(default_factory=list)  # ids of similar artists of the world


@dataclass
class World:
    genres: list[GenreSound]
    artists: list[Artist]
    song_artist: np.ndarray  # artist index of each song


LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
ALPHANUMERIC = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))


# The Million Song Subset's track ids all begin TRA or TRB, so its files sit under A/ and B/:
# about 1,400 directories for 10,000 songs, against 8,300 with any letter there, and DVC
# walks every directory of the source at each command (dvc status 2 s against 5.6 s).
SUBSET_FIRST_LETTERS = np.array(["A", "B"])


def _track_id(rng: np.random.Generator) -> str:
    """A Million-Song-Subset-style track id: TR, A or B, then as any MSD id."""
    return _random_code(rng, "TR" + rng.choice(SUBSET_FIRST_LETTERS), letters=4)


def _random_code(rng: np.random.Generator, prefix: str, letters: int = 5) -> str:
    """An MSD-style id: prefix, ``letters`` letters (five after a two-letter prefix), eleven
    letters or digits (TRAAAAW128F429D538)."""
    return (prefix + "".join(rng.choice(LETTERS, size=letters))
            + "".join(rng.choice(ALPHANUMERIC, size=11)))


def _artist_name(rng: np.random.Generator) -> str:
    words = []
    for _ in range(rng.integers(1, 3)):
        syllables = rng.choice(NAME_SYLLABLES, size=rng.integers(2, 4))
        words.append("".join(syllables).capitalize())
    return " ".join(words) + str(rng.choice(ARTIST_SUFFIXES))


def _genre_sounds(rng: np.random.Generator, separation: float) -> list[GenreSound]:
    sounds = []
    for name, _ in GENRES.items():
        shift = rng.normal(size=12) * TIMBRE_SONG_SPREAD * GENRE_CENTRE_SCALE * separation
        sounds.append(GenreSound(
            name=name,
            timbre_centre=TIMBRE_MEAN + shift,
            timbre_texture=np.exp(rng.normal(scale=0.25 * min(separation, 2.0), size=12)),
            smoothness=float(np.clip(0.45 + 0.25 * separation * rng.normal(), 0.05, 0.9)),
            major_share=float(rng.uniform(0.3, 0.9)),
            chroma_sharpness=float(np.clip(1.5 + 0.8 * separation * rng.normal(), 0.3, 4.0)),
            tempo=float(120 + 20 * rng.normal()),
        ))
    return sounds


def _artist_terms(rng: np.random.Generator, genre: str) -> tuple[list[str], np.ndarray,
                                                                   np.ndarray]:
    """Tags of one artist: its genre, sub-genres, related genres and non-genre words."""
    _, subgenres, related = GENRES[genre]
    primary_weight = 1.0
    terms = {genre: primary_weight}
    for sub in rng.choice(subgenres, size=rng.integers(1, len(subgenres) + 1), replace=False):
        terms[str(sub)] = float(rng.uniform(0.55, 0.95))
    n_related = rng.choice([0, 1, 2], p=[0.35, 0.45, 0.2])
    pool = related + TAG_ONLY_GENRES
    for other in rng.choice(pool, size=min(n_related, len(pool)), replace=False):
        terms.setdefault(str(other), float(rng.uniform(0.3, 0.8)))
    if rng.random() < LABEL_NOISE and related:
        terms[str(rng.choice(related))] = float(rng.uniform(1.0, 1.2))  # a misleading top tag
    n_plain = int(rng.integers(4, 26))
    for word in rng.choice(NON_GENRE_TERMS, size=n_plain, replace=False):
        terms.setdefault(str(word), float(rng.uniform(0.2, 0.9)))
    names = sorted(terms, key=lambda t: -terms[t])
    top = max(terms.values())
    weight = np.array([terms[t] / top for t in names])
    freq = np.clip(weight + rng.normal(scale=0.1, size=len(names)), 0.05, 1.0)
    return names, freq, weight


def build_world(seed: int, n_songs: int, separation: float, songs_per_artist: float) -> World:
    """Draw genres, artists and each song's artist, all from ``seed``."""
    rng = np.random.default_rng([seed, 0])
    genres = _genre_sounds(rng, separation)
    prevalence = np.array([share for share, _, _ in GENRES.values()])
    prevalence = prevalence / prevalence.sum()
    n_artists = max(1, int(round(n_songs / songs_per_artist)))
    artists = []
    for _ in range(n_artists):
        genre = int(rng.choice(len(genres), p=prevalence))
        terms, freq, weight = _artist_terms(rng, genres[genre].name)
        artists.append(Artist(
            artist_id=_random_code(rng, "AR"),
            name=_artist_name(rng),
            genre=genre,
            timbre_offset=rng.normal(size=12) * TIMBRE_SONG_SPREAD * ARTIST_SCALE,
            terms=terms, terms_freq=freq, terms_weight=weight,
            familiarity=float(rng.uniform(0.2, 0.9)),
        ))
    # Every artist gets at least one song; the rest go to artists at random.
    song_artist = np.concatenate([np.arange(min(n_artists, n_songs)),
                                  rng.integers(0, n_artists, size=max(0, n_songs - n_artists))])
    rng.shuffle(song_artist)
    similar = plant_similar(np.array([a.genre for a in artists]),
                            np.stack([a.timbre_offset / TIMBRE_SONG_SPREAD for a in artists]),
                            [g.name for g in genres], seed)
    for artist, others in zip(artists, similar, strict=True):
        artist.similar = [artists[other].artist_id for other in others]
    return World(genres=genres, artists=artists, song_artist=song_artist)
