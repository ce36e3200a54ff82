"""The `songspace` command: the nearest songs to one song in a learned space, with title,
artist, derived genre and distance, marked where the MSD calls the artist similar; and any
song's vector in a learned space.

    songspace similar "Soul Deep" --method hybrid_vae -k 10 [--json]
    songspace similar --file path/to/TRxxx.h5 --method ae
    songspace embed ../shared/msd/dev --method hybrid_vae [--seed 0] -o dev.parquet

It reads what the pipeline wrote (the training seed's latents and model, the subset, the
derived genres, similar.parquet, and above retrieval.exact_max songs the stage's
approximate index) through songspace.space; anything missing is answered with the stage to
run, in one line.
"""

import argparse
import json
import sys
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.evaluation import methods
from songspace.evaluation.data import load_labels, load_songs
from songspace.features.similar import load_similar
from songspace.msd.reader import is_h5_name
from songspace.retrieval.query import find_song
from songspace.space import Space, load_space
from songspace.space.output import skipped_path, write_embeddings

import numpy as np
import pandas as pd

FEATURES_DIR = Path("data/features")
SIMILAR_MARK = "*"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="songspace", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    similar = commands.add_parser("similar", help="the nearest songs to one song",
                                  description="The nearest songs to one song in a learned "
                                  "space (run from the project root after `dvc repro`).")
    similar.add_argument("query", nargs="?",
                         help="a subset song: a title, 'artist - title' or a track_id")
    similar.add_argument("--file", type=Path,
                         help="instead of a query: an MSD song file (.h5), placed in the space")
    _method_argument(similar)
    similar.add_argument("-k", type=int, default=None,
                         help="how many songs (default: retrieval.k in params.yaml)")
    similar.add_argument("--json", action="store_true", help="print JSON, for scripts")
    embed = commands.add_parser(
        "embed", help="every song of a source as a vector in a learned space",
        description="Every song of SOURCE as a vector in a learned space, written to OUT "
        "(track_id, title, artist_name, vector: a fixed-size list of float32), and the songs "
        "that could not be embedded to OUT's name with .skipped.csv (run from the project "
        "root after `dvc repro`).")
    embed.add_argument("source", nargs="+", type=Path, metavar="SOURCE",
                       help="a directory of MSD .h5 files (any depth), an .h5 file "
                       "(per-track or aggregate) or millionsongsubset.tar.gz")
    _method_argument(embed)
    embed.add_argument("--seed", type=int, default=None,
                       help="the training seed's model (default: the first of train.seeds)")
    embed.add_argument("-o", "--output", type=Path, required=True, metavar="OUT",
                       help="the Parquet file to write, e.g. embeddings.parquet")
    return parser


def _method_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--method", default="hybrid_vae",
                        help="the learned space: one of params.yaml's methods (default "
                        "hybrid_vae)")


def similar_songs(query: str | None, method: str, k: int | None,
                  file: Path | None = None) -> dict:
    """The query song (a subset song named by ``query``, or the song of ``file``) and its
    ``k`` nearest subset songs, as the JSON output."""
    if file is not None:
        _check_song_file(file)
    space = load_space(".", method)
    labels, _, table = load_labels()
    songs = load_songs(table["track_id"].tolist())
    similar = load_similar(FEATURES_DIR, table["track_id"].tolist())
    genre = table["genre"].where(labels >= 0, "")
    k = space.params["retrieval"]["k"] if k is None else k

    def song(i: int) -> dict:
        return {"track_id": songs.at[i, "track_id"], "title": songs.at[i, "title"],
                "artist_name": songs.at[i, "artist_name"], "genre": genre.iat[i] or None}

    if file is None:
        row = find_song(songs, query)
        query_song, artist = song(row), similar["artist_id"][row]
        theirs = set(similar["similar_artists"][row])
        found = space.nearest(songs.at[row, "track_id"], k)
    else:
        embedded, vector = _file_song(space, file)
        track_id, artist = embedded["track_id"], embedded["artist_id"]
        theirs = set(embedded["similar_artists"])
        rows = songs.index[songs["track_id"] == track_id]
        described = song(rows[0]) if len(rows) else {
            **{key: embedded[key] for key in ("track_id", "title", "artist_name")},
            "genre": None}
        query_song = {**described, "file": str(file), "in_subset": bool(len(rows))}
        found = space.nearest(vector, k, exclude=track_id)
    return {"query": {**query_song, "n_similar_artists": len(theirs)},
            "method": method, "train_seed": space.seed, "metric": space.index.metric,
            "search": space.index.kind, "k": k,
            "neighbours": [{"rank": rank, **song(i), "distance": round(distance, 6),
                            "similar_artist": similar["artist_id"][i] in theirs,
                            "same_artist": similar["artist_id"][i] == artist}
                           for rank, (i, distance) in enumerate(found["distance"].items(),
                                                                start=1)]}


def _check_song_file(file: Path) -> None:
    if not file.is_file():
        raise SongspaceError(f"--file {file}: no such file")
    if not is_h5_name(file.name):
        raise SongspaceError(f"--file {file}: not an MSD song file (.h5); `songspace embed` "
                             "reads directories and archives")


def _file_song(space: Space, file: Path) -> tuple[pd.Series, np.ndarray]:
    """The one song of an MSD song file, embedded: (its row of Embedded.songs, its vector)."""
    embedded = space.embed(file)
    if embedded.songs.empty:
        skipped = embedded.skipped.iloc[0]
        raise SongspaceError(f"--file {file}: {skipped['detail']} ({skipped['reason']})")
    if len(embedded.songs) > 1:
        raise SongspaceError(f"--file {file} holds {len(embedded.songs)} songs; "
                             "`songspace embed` places each of them")
    return embedded.songs.iloc[0], embedded.vectors[0]


def render(result: dict) -> str:
    """The neighbours as a plain-text table."""
    query = result["query"]
    about = query["genre"] or "no genre"
    if "file" in query:
        about = f"{query['file']}, {about if query['in_subset'] else 'not in the subset'}"
    lines = [f"{result['k']} nearest to \"{query['title']}\" by {query['artist_name']} "
             f"({about}) in {methods.title(result['method'])} space "
             f"(seed {result['train_seed']}, {result['metric']}, {result['search']} search):"]
    rows = [(str(n["rank"]), SIMILAR_MARK if n["similar_artist"] else "", n["title"],
             n["artist_name"], n["genre"] or "-", f"{n['distance']:.3f}")
            for n in result["neighbours"]]
    head = ("#", "", "title", "artist", "genre", "distance")
    widths = [max(len(r[c]) for r in [head, *rows]) for c in range(len(head))]
    for r in [head, *rows]:
        lines.append("  ".join(cell.ljust(w) if c in (2, 3, 4) else cell.rjust(w)
                               for c, (cell, w) in enumerate(zip(r, widths, strict=True))))
    hits = sum(n["similar_artist"] for n in result["neighbours"])
    lines.append(f"{SIMILAR_MARK} artist in the query's similar_artists "
                 f"({hits} of {len(rows)}; the query lists {query['n_similar_artists']})")
    return "\n".join(lines)


def embed(sources: list[Path], method: str, seed: int | None, out: Path) -> str:
    """Write OUT and OUT.skipped.csv; the one-line summary. A progress bar only on a
    terminal."""
    space = load_space(".", method, seed)
    written, skipped = write_embeddings(space, sources, out, progress=sys.stderr.isatty())
    return (f"embed: {written} songs in {methods.title(method)} space (seed {space.seed}, "
            f"{space.latent_dim} dimensions) written to {out}; {len(skipped)} skipped, listed "
            f"in {skipped_path(out)}")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "similar" and (args.query is None) == (args.file is None):
        parser.error("similar takes a QUERY or --file PATH (one of them)")
    try:
        if args.command == "embed":
            print(embed(args.source, args.method, args.seed, args.output))
            return 0
        result = similar_songs(args.query, args.method, args.k, args.file)
    except SongspaceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
