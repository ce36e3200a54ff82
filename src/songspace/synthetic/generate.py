"""Generate a synthetic Million Song Subset: N songs as MSD files under one directory."""

import functools
from pathlib import Path

from songspace.parallel import map_batches
from songspace.synthetic.songs import make_song
from songspace.synthetic.world import Artist, GenreSound, World, build_world
from songspace.synthetic.writer import track_path, write_song_file

from tqdm import tqdm


def _write_batch(songs: list[tuple[int, Artist, GenreSound]], seed: int, root: Path
                 ) -> list[str]:
    written = []
    for index, artist, genre in songs:
        song = make_song(artist, genre, index, seed)
        write_song_file(track_path(root, song["track_id"]), song)
        written.append(song["track_id"])
    return written


def generate(root: Path, *, seed: int, n_songs: int, separation: float = 1.0,
             songs_per_artist: float = 2.5, workers: int = 0, progress: bool = True) -> World:
    """Write ``n_songs`` MSD files under ``root`` (deterministic in ``seed``); return the world."""
    world = build_world(seed, n_songs, separation, songs_per_artist)
    root.mkdir(parents=True, exist_ok=True)
    write = functools.partial(_write_batch, seed=seed, root=root)
    # Each task carries only its songs' artists: handing every task the whole world made
    # the work quadratic in N (50,000 songs: 615 s, against 42 s at 5,500).
    songs = ((index, artist, world.genres[artist.genre])
             for index, artist in enumerate(world.artists[a] for a in world.song_artist))
    results = map_batches(write, songs, batch_size=100, workers=workers)
    for _ in tqdm(results, total=n_songs, desc="synthesize", unit="song", disable=not progress):
        pass
    return world
