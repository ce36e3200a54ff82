"""Find the song a user means: a track_id, "artist - title" or a title, case-insensitive;
an unknown or ambiguous query is answered in one line with close matches (difflib)."""

import difflib

from songspace.errors import SongspaceError

import pandas as pd

MAX_SHOWN = 5


def _named(songs: pd.DataFrame, rows) -> str:
    return "; ".join(f"{songs.at[i, 'artist_name']} - {songs.at[i, 'title']} "
                     f"({songs.at[i, 'track_id']})" for i in list(rows)[:MAX_SHOWN])


def find_song(songs: pd.DataFrame, query: str) -> int:
    """Row of the one song ``query`` names in ``songs`` (track_id, title, artist_name)."""
    wanted = query.strip().casefold()
    titles = songs["title"].str.casefold()
    full = (songs["artist_name"] + " - " + songs["title"]).str.casefold()
    for column in (songs["track_id"].str.casefold(), full, titles):
        rows = songs.index[column == wanted]
        if len(rows) == 1:
            return int(rows[0])
        if len(rows) > 1:
            raise SongspaceError(
                f"{query!r} names {len(rows)} songs: {_named(songs, rows)}"
                + ("; ..." if len(rows) > MAX_SHOWN else "")
                + "; give 'artist - title' or a track_id")
    candidates = list(dict.fromkeys([*songs["title"], *(songs["artist_name"] + " - "
                                                         + songs["title"])]))
    close = difflib.get_close_matches(query.strip(), candidates, n=MAX_SHOWN, cutoff=0.6)
    if not close:
        lowered = {c.casefold(): c for c in candidates}
        close = [lowered[c] for c in difflib.get_close_matches(
            wanted, list(lowered), n=MAX_SHOWN, cutoff=0.6)]
    hint = ("close matches: " + "; ".join(close)) if close else (
        "no close matches; the songs are listed in data/subset/songs.csv")
    raise SongspaceError(f"no song {query!r} (by title, 'artist - title' or track_id); {hint}")
