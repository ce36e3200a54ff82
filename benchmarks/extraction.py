"""Extraction speed against the h5py read floor, measured in the same run (issue 6).

    python benchmarks/extraction.py DIR [--workers 2] [--limit N] [--repeat 3] [--out FILE]
    python benchmarks/extraction.py /work/shared/msd/tracks --copies 600

The floor is what any extractor must pay: plain h5py opening every file and reading
segments_timbre, segments_pitches and artist_terms, with the same number of processes.
Measuring it in the same run, on the same hot page cache, makes the ratio meaningful on any
machine and under any load; absolute files/s alone would not be. Each measurement is repeated
and the best kept, interleaving floor and extraction so that a burst of load elsewhere hits
both alike. Targets: >= 500 files/s and >= 80 % of the floor.

``--copies N`` cycles the files of DIR into N copies in a scratch directory (deleted
afterwards) with distinct track ids, so a handful of real files gives a realistic run.
The song list comes from the project's own scan (catalog.scan), as in the subset stage.
Nothing is written outside temporary directories, except the report section with --out
(e.g. --out reports/benchmarks.md).
"""

import argparse
import multiprocessing
import shutil
import sys
import tempfile
import time
from pathlib import Path

from songspace import catalog
from songspace.features.extract import extract
from songspace.msd.reader import list_h5_files
from songspace.parallel import batched

import h5py
import numpy as np
import yaml
from common import ROOT, machine, update_report, verdict

TARGET_FILES_PER_S = 500.0
TARGET_SHARE_OF_FLOOR = 0.80
FLOOR_DATASETS = ("analysis/segments_timbre", "analysis/segments_pitches",
                  "metadata/artist_terms")


def _read_floor_batch(paths: list[str]) -> int:
    for path in paths:
        with h5py.File(path, "r") as h5:
            for name in FLOOR_DATASETS:
                h5[name][()]
    return len(paths)


def read_floor(files: list[Path], workers: int, batch_size: int) -> float:
    """Seconds for plain h5py to read the floor datasets of every file with ``workers``."""
    batches = list(batched([str(f) for f in files], batch_size))
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        done = sum(pool.imap_unordered(_read_floor_batch, batches))
    elapsed = time.perf_counter() - start
    assert done == len(files)
    return elapsed


def run_extraction(songs, features: dict, workers: int) -> float:
    """Seconds for the project's extraction of ``songs``, written to a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="songspace-bench-") as out:
        start = time.perf_counter()
        extract(songs, Path(out), seq_len=features["seq_len"],
                min_segments=features["min_segments"], workers=workers,
                batch_size=features["batch_size"], progress=False)
        return time.perf_counter() - start


def make_copies(source: Path, n_copies: int, dest: Path) -> None:
    """N copies of source's files in MSD layout, each with its own track id (scan keeps all)."""
    originals = list_h5_files(source)
    if not originals:
        sys.exit(f"{source}: no .h5 files")
    for i in range(n_copies):
        track_id = f"TRBENCH{i:011d}"
        target = dest / track_id[2] / track_id[3] / track_id[4] / f"{track_id}.h5"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(originals[i % len(originals)], target)
        with h5py.File(target, "r+") as h5:
            table = h5["analysis/songs"]
            if table.shape[0] == 1:  # aggregate files keep their own (distinct) ids
                row = table[0]
                row["track_id"] = track_id.encode()
                table[0] = row


def link_first(source: Path, limit: int, dest: Path) -> Path:
    """A directory of symlinks to the first ``limit`` files of source (for --limit)."""
    for path in list_h5_files(source)[:limit]:
        link = dest / path.relative_to(source)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path.resolve())
    return dest


def warm_page_cache(files: list[Path]) -> None:
    for path in files:
        path.read_bytes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="directory of MSD .h5 files (any depth)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="use the first N files only")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--copies", type=int, default=None,
                        help="cycle DIR's files into N scratch copies first")
    parser.add_argument("--out", type=Path, default=None,
                        help="also write the figures to this report (its extraction section)")
    args = parser.parse_args()
    features = yaml.safe_load((ROOT / "params.yaml").read_text())["features"]
    description, started = machine(), time.strftime("%Y-%m-%d %H:%M")

    with tempfile.TemporaryDirectory(prefix="songspace-bench-src-") as scratch:
        source = args.dir
        if args.copies:
            source = Path(scratch) / "copies"
            make_copies(args.dir, args.copies, source)
        if args.limit is not None:
            source = link_first(source, args.limit, Path(scratch) / "limit")
        files = list_h5_files(source)
        warm_page_cache(files)
        start = time.perf_counter()
        found = catalog.scan(source, min_segments=features["min_segments"],
                             workers=args.workers, batch_size=features["batch_size"],
                             progress=False)
        scan_s = time.perf_counter() - start
        songs = found.songs
        n_files = songs["source_file"].nunique()
        if n_files < len(files):
            print(f"note: {len(files) - n_files} files hold no usable song (see the scan); "
                  "they are left out of both measurements")
            used = set(songs["source_file"])
            files = [f for f in files if str(f) in used]

        floor_s, extract_s = [], []
        for _ in range(args.repeat):
            floor_s.append(read_floor(files, args.workers, features["batch_size"]))
            extract_s.append(run_extraction(songs, features, args.workers))

    floor_rate, extract_rate = n_files / min(floor_s), n_files / min(extract_s)
    share = extract_rate / floor_rate
    rate_ok = extract_rate >= TARGET_FILES_PER_S
    share_ok = share >= TARGET_SHARE_OF_FLOOR
    runs = {name: (n_files / np.array(times)).round().astype(int).tolist()
            for name, times in (("floor", floor_s), ("extract", extract_s))}
    lines = [
        f"{n_files} files, {len(songs)} songs, {args.workers} workers, "
        f"best of {args.repeat}, hot page cache",
        f"scan (subset stage, once)   {n_files / scan_s:8.0f} files/s",
        f"read floor (plain h5py)     {floor_rate:8.0f} files/s   runs {runs['floor']}",
        f"extraction (project)        {extract_rate:8.0f} files/s   runs {runs['extract']}",
        f"extraction / floor          {share:8.0%}",
        f"target >= {TARGET_FILES_PER_S:.0f} files/s: {verdict(rate_ok)}",
        f"target >= {TARGET_SHARE_OF_FLOOR:.0%} of floor: {verdict(share_ok)}",
    ]
    print("\n".join(lines))
    if args.out:
        source = f"{args.dir}" + (f" cycled into {args.copies} copies" if args.copies else "")
        update_report(args.out, "extraction", "\n".join([
            "## Extraction against the read floor", "",
            f"`python benchmarks/extraction.py` on {source} ({started}). Machine: "
            f"{description}.", "", "```", *lines, "```"]))
        print(f"written to {args.out}")
    return 0 if rate_ok and share_ok else 1


if __name__ == "__main__":
    sys.exit(main())
