"""`songspace similar QUERY`: the nearest songs to one song in a learned space, with title,
artist, derived genre and distance, marked where the MSD calls the artist similar.

    songspace similar "Soul Deep" --method hybrid_vae -k 10 [--json]

It reads what the pipeline wrote (the first training seed's latents, the subset, the derived
genres, similar.parquet, and above retrieval.exact_max songs the stage's approximate index);
anything missing is answered with the stage to run, in one line.
"""

import argparse
import json
import sys
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.evaluation import methods
from songspace.evaluation.data import load_labels, load_latents, load_songs
from songspace.features.similar import load_similar
from songspace.params import load_params
from songspace.retrieval import index_files, search
from songspace.retrieval.query import find_song

import numpy as np

FEATURES_DIR = Path("data/features")
SIMILAR_MARK = "*"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="songspace", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    similar = commands.add_parser("similar", help="the nearest songs to one song",
                                  description="The nearest songs to one song in a learned "
                                  "space (run from the project root after `dvc repro`).")
    similar.add_argument("query", help="a title, 'artist - title' or a track_id")
    similar.add_argument("--method", default="hybrid_vae", choices=list(methods.METHODS),
                         help="the latent space to search (default hybrid_vae)")
    similar.add_argument("-k", type=int, default=None,
                         help="how many songs (default: retrieval.k in params.yaml)")
    similar.add_argument("--json", action="store_true", help="print JSON, for scripts")
    return parser


def _index(method: str, latents: np.ndarray, params: dict) -> search.Index:
    """Exact search up to retrieval.exact_max songs, else the stage's approximate index."""
    retrieval = params["retrieval"]
    if len(latents) <= retrieval["exact_max"]:
        return search.build(latents, retrieval["metric"], retrieval["exact_max"])
    info, path = index_files.read(method)
    if info["kind"] != "approximate" or info["n_songs"] != len(latents) or not path.exists():
        raise SongspaceError(f"{path.parent} does not match the latents; run "
                             f"`dvc repro retrieval_eval@{method}`")
    return search.load(path, info["metric"])


def similar_songs(query: str, method: str, k: int | None) -> dict:
    """The query song and its ``k`` nearest songs, as the JSON output."""
    params = load_params()
    train_seed = params["train"]["seeds"][0]
    latent_file = methods.latent_path(method, train_seed)
    if not latent_file.exists():
        raise SongspaceError(f"{latent_file} not found; run `dvc repro train_{method}` first "
                             f"(or `dvc repro` for every method)")
    labels, _, table = load_labels()
    songs = load_songs(table["track_id"].tolist())
    similar = load_similar(FEATURES_DIR, table["track_id"].tolist())
    latents = load_latents(latent_file, len(songs))
    row = find_song(songs, query)
    k = params["retrieval"]["k"] if k is None else k
    if not 1 <= k < len(songs):
        raise SongspaceError(f"-k {k}: choose between 1 and {len(songs) - 1}")
    index = _index(method, latents, params)
    distances, found = index.search(latents[row:row + 1], k + 1)
    pairs = [(d, i) for d, i in zip(distances[0], found[0], strict=True) if i != row][:k]
    theirs = set(similar["similar_artists"][row])
    genre = table["genre"].where(labels >= 0, "")

    def song(i: int) -> dict:
        return {"track_id": songs.at[i, "track_id"], "title": songs.at[i, "title"],
                "artist_name": songs.at[i, "artist_name"], "genre": genre.iat[i] or None}

    return {"query": {**song(row), "n_similar_artists": len(theirs)},
            "method": method, "train_seed": train_seed, "metric": index.metric,
            "search": index.kind, "k": k,
            "neighbours": [{"rank": rank, **song(int(i)), "distance": round(float(d), 6),
                            "similar_artist": similar["artist_id"][int(i)] in theirs,
                            "same_artist": similar["artist_id"][int(i)]
                            == similar["artist_id"][row]}
                           for rank, (d, i) in enumerate(pairs, start=1)]}


def render(result: dict) -> str:
    """The neighbours as a plain-text table."""
    query = result["query"]
    lines = [f"{result['k']} nearest to \"{query['title']}\" by {query['artist_name']} "
             f"({query['genre'] or 'no genre'}) in {methods.METHODS[result['method']]} space "
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result = similar_songs(args.query, args.method, args.k)
    except SongspaceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
