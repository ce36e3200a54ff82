"""The MSD per-track HDF5 layout, read off real files (see ../shared/msd/README.md).

The synthetic writer builds files from this description; a test checks it against
real MSD files so the two cannot drift apart.
"""

import numpy as np

F8, I4 = "<f8", "<i4"

ANALYSIS_ARRAYS = [
    "bars_confidence", "bars_start", "beats_confidence", "beats_start",
    "sections_confidence", "sections_start", "segments_confidence",
    "segments_loudness_max", "segments_loudness_max_time", "segments_loudness_start",
    "segments_pitches", "segments_start", "segments_timbre",
    "tatums_confidence", "tatums_start",
]
SEGMENT_MATRICES = ("segments_timbre", "segments_pitches")  # (n_segments, 12)

ANALYSIS_SONGS = np.dtype([
    ("analysis_sample_rate", I4), ("audio_md5", "S32"), ("danceability", F8),
    ("duration", F8), ("end_of_fade_in", F8), ("energy", F8),
    *[(f"idx_{name}", I4) for name in ANALYSIS_ARRAYS],
    ("key", I4), ("key_confidence", F8), ("loudness", F8), ("mode", I4),
    ("mode_confidence", F8), ("start_of_fade_out", F8), ("tempo", F8),
    ("time_signature", I4), ("time_signature_confidence", F8), ("track_id", "S32"),
])

METADATA_SONGS = np.dtype([
    ("analyzer_version", "S32"), ("artist_7digitalid", I4), ("artist_familiarity", F8),
    ("artist_hotttnesss", F8), ("artist_id", "S32"), ("artist_latitude", F8),
    ("artist_location", "S1024"), ("artist_longitude", F8), ("artist_mbid", "S40"),
    ("artist_name", "S1024"), ("artist_playmeid", I4), ("genre", "S1024"),
    ("idx_artist_terms", I4), ("idx_similar_artists", I4), ("release", "S1024"),
    ("release_7digitalid", I4), ("song_hotttnesss", F8), ("song_id", "S32"),
    ("title", "S1024"), ("track_7digitalid", I4),
])

MUSICBRAINZ_SONGS = np.dtype([("idx_artist_mbtags", I4), ("year", I4)])

# group -> dataset -> (dtype, row shape); "songs" tables are compound.
DATASETS: dict[str, dict[str, tuple[np.dtype, tuple[int, ...]]]] = {
    "analysis": {
        **{name: (np.dtype(F8), (12,) if name in SEGMENT_MATRICES else ())
           for name in ANALYSIS_ARRAYS},
        "songs": (ANALYSIS_SONGS, ()),
    },
    "metadata": {
        "artist_terms": (np.dtype("S256"), ()),
        "artist_terms_freq": (np.dtype(F8), ()),
        "artist_terms_weight": (np.dtype(F8), ()),
        "similar_artists": (np.dtype("S20"), ()),
        "songs": (METADATA_SONGS, ()),
    },
    "musicbrainz": {
        "artist_mbtags": (np.dtype("S256"), ()),
        "artist_mbtags_count": (np.dtype(I4), ()),
        "songs": (MUSICBRAINZ_SONGS, ()),
    },
}

GROUP_TITLES = {
    "analysis": "Echo Nest analysis of the song",
    "metadata": "metadata about the song",
    "musicbrainz": "data about the song coming from MusicBrainz",
}
ROOT_TITLE = "H5 Song File"

# What the pipeline reads; a file missing any of these is skipped and reported.
REQUIRED_DATASETS = (
    "analysis/segments_timbre", "analysis/segments_pitches", "analysis/songs",
    "metadata/artist_terms", "metadata/artist_terms_freq", "metadata/artist_terms_weight",
    "metadata/songs",
)
