"""`songspace embed` against the extraction it is built on: files per second on the same files,
and memory as the number of files grows (issue 22).

    python benchmarks/embedding.py ../shared/msd/dev [--project .] [--method hybrid_vae]
                                   [--repeat 3] [--copies 4] [--out FILE]

Embedding reads, cleans and extracts every song as the extract_features stage does, then
z-scores and encodes it: its files per second must be at least 80 % of extraction's on the
same files (extraction's song list comes from the project's own scan, as in the subset
stage). Both run in this process with the project's features.workers and batch_size,
interleaved, ``--repeat`` times each, on a hot page cache; the median is kept. The model is
loaded, and one song embedded, beforehand: that (about 2 s, mostly importing torch) is a
fixed cost of the command, reported apart. Memory: the peak RSS of the command's own
process (workers excluded) for DIR and for DIR linked ``--copies`` times, which must stay
flat. Nothing is written outside temporary directories, except the report section with
--out.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from songspace import catalog
from songspace.msd.reader import list_h5_files
from songspace.parallel import resolve_workers
from songspace.space import load_space

from common import machine, update_report, verdict
from extraction import run_extraction, warm_page_cache

TARGET_SHARE = 0.80
MAX_MEMORY_GROWTH = 1.25  # peak RSS with --copies x the files, over the peak with 1 x

PEAK_RSS = """
import resource, sys
from pathlib import Path
from songspace.space import load_space
from songspace.space.output import write_embeddings
space = load_space(sys.argv[1], sys.argv[2])
written, _ = write_embeddings(space, [Path(sys.argv[3])], Path(sys.argv[4]))
print(written, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def run_embedding(space, source: Path) -> float:
    start = time.perf_counter()
    for _ in space.iter_embed(source):
        pass
    return time.perf_counter() - start


def peak_rss_mb(project: Path, method: str, source: Path) -> tuple[int, int]:
    """(songs written, peak MB of the embedding process) in a fresh process."""
    with tempfile.TemporaryDirectory(prefix="songspace-bench-") as out:
        result = subprocess.run([sys.executable, "-c", PEAK_RSS, str(project), method,
                                 str(source), str(Path(out) / "out.parquet")],
                                capture_output=True, text=True, check=True)
    written, peak = result.stdout.split()[-2:]
    return int(written), int(peak)


def link_copies(files: list[Path], copies: int, dest: Path) -> Path:
    """``copies`` folders of symlinks to ``files``: the same songs, ``copies`` times."""
    for i in range(copies):
        folder = dest / f"copy_{i}"
        folder.mkdir(parents=True)
        for path in files:
            (folder / path.name).symlink_to(path.resolve())
    return dest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="directory of MSD .h5 files (any depth)")
    parser.add_argument("--project", type=Path, default=Path("."),
                        help="a project after `dvc repro` (default: here)")
    parser.add_argument("--method", default="hybrid_vae")
    parser.add_argument("--repeat", type=int, default=3, help="median of this many runs")
    parser.add_argument("--copies", type=int, default=4,
                        help="memory: DIR linked this many times against once")
    parser.add_argument("--out", type=Path, default=None,
                        help="also write the figures to this report (its embedding section)")
    args = parser.parse_args()
    description, started = machine(), time.strftime("%Y-%m-%d %H:%M")
    files = list_h5_files(args.dir)
    warm_page_cache(files)

    start = time.perf_counter()
    space = load_space(args.project, args.method)
    space.embed(files[0])  # the model, and the libraries a first song needs (scikit-learn's
    load_s = time.perf_counter() - start  # TF-IDF): the command's fixed cost
    features = space.params["features"]
    songs = catalog.scan(args.dir, min_segments=features["min_segments"],
                         workers=features["workers"], batch_size=features["batch_size"],
                         progress=False).songs
    extract_s, embed_s = [], []
    for _ in range(args.repeat):
        extract_s.append(run_extraction(songs, features, features["workers"]))
        embed_s.append(run_embedding(space, args.dir))
    extract_rate = len(files) / statistics.median(extract_s)
    embed_rate = len(files) / statistics.median(embed_s)
    share = embed_rate / extract_rate

    with tempfile.TemporaryDirectory(prefix="songspace-bench-src-") as scratch:
        many = link_copies(files, args.copies, Path(scratch))
        once_songs, once_mb = peak_rss_mb(args.project, args.method, args.dir)
        many_songs, many_mb = peak_rss_mb(args.project, args.method, many)
    growth = many_mb / once_mb
    runs = {name: [round(len(files) / s) for s in times]
            for name, times in (("extract", extract_s), ("embed", embed_s))}
    lines = [
        f"{len(files)} files, {len(songs)} songs, {args.method}, "
        f"{resolve_workers(features['workers'])} workers, median of {args.repeat}, "
        "hot page cache",
        f"extraction (extract_features)  {extract_rate:7.0f} files/s   runs {runs['extract']}",
        f"embedding (songspace embed)    {embed_rate:7.0f} files/s   runs {runs['embed']}",
        f"embedding / extraction         {share:7.0%}",
        f"loading the space, 1 song      {load_s:7.1f} s   (once)",
        f"peak RSS, {once_songs} songs          {once_mb:7d} MB",
        f"peak RSS, {many_songs} songs         {many_mb:7d} MB   ({growth:.2f} x)",
        f"target >= {TARGET_SHARE:.0%} of extraction: {verdict(share >= TARGET_SHARE)}",
        f"target memory flat (<= {MAX_MEMORY_GROWTH} x): {verdict(growth <= MAX_MEMORY_GROWTH)}",
    ]
    print("\n".join(lines))
    if args.out:
        update_report(args.out, "embedding", "\n".join([
            "## Embedding against extraction", "",
            f"`python benchmarks/embedding.py {args.dir}` ({started}). Machine: "
            f"{description}.", "", "```", *lines, "```"]))
        print(f"written to {args.out}")
    print(json.dumps({"extract_s": extract_s, "embed_s": embed_s}))
    return 0 if share >= TARGET_SHARE and growth <= MAX_MEMORY_GROWTH else 1


if __name__ == "__main__":
    sys.exit(main())
