"""Nearest-neighbour search at scale: exact search (scikit-learn) against the approximate
HNSW index (faiss) that the retrieval stage builds above retrieval.exact_max (issue 12), as
graphs of search.HNSW_SHARD songs searched together (issue 21).

    python benchmarks/retrieval.py [--sizes 10000 100000 1000000] [--dim 16] [--queries 1000]
                                   [--out reports/benchmarks.md]

For each N: N random latent vectors (standard normal, seeded), indexed by the stage's own
code (songspace.retrieval.search.build: the HNSW graph built on one thread, so that the
stage's figures are reproducible). Then, on --queries songs of the set:
- single-query latency, one query at a time as `songspace similar` asks (median and p99);
- recall@10 of the approximate index against exact search, the song itself excluded;
- every song's 10 neighbours from the approximate index (timed for a sample of songs and
  scaled to N), and run in full with exact search up to --exact-join-max. (The stage's
  figures read exact neighbours of at most retrieval.max_queries songs; the index serves
  `songspace similar`.)
Targets: recall@10 >= 0.95 and a query under 10 ms at 1M songs, on 2 cores.
Nothing is written except the report section with --out.
"""

import argparse
import sys
import time
from pathlib import Path

from songspace.retrieval import search

import numpy as np
from common import machine, update_report, verdict
from threadpoolctl import threadpool_limits

K = 10
TARGET_RECALL = 0.95
TARGET_QUERY_MS = 10.0
TARGET_SIZE = 1_000_000
JOIN_SAMPLE = 20_000  # songs whose neighbours are timed to estimate the approximate join


def latencies_ms(index: search.Index, vectors: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Milliseconds of each single query (k + 1 asked: the song itself comes back first)."""
    times = []
    for q in queries:
        start = time.perf_counter()
        index.search(vectors[q:q + 1], K + 1)
        times.append((time.perf_counter() - start) * 1000)
    return np.array(times)


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / K for a, b in zip(found, truth, strict=True)]))


def without_self(found: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Each row's K nearest other songs."""
    return np.array([[i for i in row if i != q][:K] for row, q in zip(found, queries,
                                                                     strict=True)])


def run_size(n: int, dim: int, n_queries: int, exact_join_max: int) -> dict:
    rng = np.random.default_rng([12, n])
    vectors = rng.standard_normal((n, dim))
    queries = rng.choice(n, size=min(n_queries, n), replace=False)
    row: dict = {"n": n}
    with threadpool_limits(1):  # as the stage: one BLAS/OpenMP thread for exact search
        start = time.perf_counter()
        exact = search.build(vectors, "euclidean", exact_max=n)
        row["exact_build_s"] = time.perf_counter() - start
        row["exact_query_ms"] = float(np.median(latencies_ms(exact, vectors, queries[:100])))
        start = time.perf_counter()
        truth = without_self(exact.search(vectors[queries], K + 1)[1], queries)
        row["truth_s"] = time.perf_counter() - start
        if n <= exact_join_max:
            start = time.perf_counter()
            search.neighbours(exact, vectors, K)
            row["exact_join_s"] = time.perf_counter() - start
    print(f"  N={n:>9,}  exact: query {row['exact_query_ms']:.2f} ms"
          + (f", all-songs join {row['exact_join_s']:.1f} s" if "exact_join_s" in row else ""),
          flush=True)

    start = time.perf_counter()
    approximate = search.build(vectors, "euclidean", exact_max=0)
    row["hnsw_build_s"] = time.perf_counter() - start
    times = latencies_ms(approximate, vectors, queries)
    row["hnsw_query_ms"] = float(np.median(times))
    row["hnsw_query_p99_ms"] = float(np.percentile(times, 99))
    found = without_self(approximate.search(vectors[queries], K + 1)[1], queries)
    row["recall"] = recall(found, truth)
    sample = vectors[:min(n, JOIN_SAMPLE)]
    start = time.perf_counter()
    approximate.search(sample, K + 1)
    row["hnsw_join_s"] = (time.perf_counter() - start) * n / len(sample)
    print(f"  N={n:>9,}  HNSW: build {row['hnsw_build_s']:.1f} s, query "
          f"{row['hnsw_query_ms']:.3f} ms (p99 {row['hnsw_query_p99_ms']:.3f}), recall@{K} "
          f"{row['recall']:.4f}, all-songs join ~{row['hnsw_join_s']:.1f} s", flush=True)
    return row


def table(rows: list[dict]) -> list[str]:
    lines = ["| songs | HNSW build (1 thread) | HNSW query, median / p99 | recall@10 | "
             "HNSW all-songs join (est.) | exact query | exact all-songs join |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        join = f"{r['exact_join_s']:.1f} s" if "exact_join_s" in r else "not run"
        lines.append(f"| {r['n']:,} | {r['hnsw_build_s']:.1f} s | {r['hnsw_query_ms']:.3f} / "
                     f"{r['hnsw_query_p99_ms']:.3f} ms | {r['recall']:.4f} | "
                     f"{r['hnsw_join_s']:.1f} s | {r['exact_query_ms']:.2f} ms | {join} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--dim", type=int, default=16)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--exact-join-max", type=int, default=100_000,
                        help="run the exact all-songs join up to this many songs")
    parser.add_argument("--out", type=Path, default=None,
                        help="also write the figures to this report (its retrieval section)")
    args = parser.parse_args()
    description, started = machine(), time.strftime("%Y-%m-%d %H:%M")
    print(f"machine: {description}")
    rows = [run_size(n, args.dim, args.queries, args.exact_join_max) for n in args.sizes]
    at_target = [r for r in rows if r["n"] == max(r["n"] for r in rows)][0]
    recall_ok = at_target["recall"] >= TARGET_RECALL
    query_ok = at_target["hnsw_query_ms"] < TARGET_QUERY_MS
    size_note = "" if at_target["n"] >= TARGET_SIZE else f" (largest size run: {at_target['n']:,})"
    verdicts = [f"target recall@{K} >= {TARGET_RECALL} at 1M{size_note}: "
                f"{verdict(recall_ok)} ({at_target['recall']:.4f})",
                f"target query < {TARGET_QUERY_MS:.0f} ms at 1M{size_note}: {verdict(query_ok)} "
                f"({at_target['hnsw_query_ms']:.3f} ms median)"]
    print("\n".join(table(rows) + verdicts))
    if args.out:
        update_report(args.out, "retrieval", "\n".join([
            "## Nearest-neighbour search (similar songs)", "",
            f"`python benchmarks/retrieval.py` ({started}): N random standard-normal latent "
            f"vectors of dimension {args.dim}; the faiss HNSW index the retrieval stage builds "
            f"above `retrieval.exact_max`, graphs of {search.HNSW_SHARD:,} songs searched "
            f"together (M = {search.HNSW_M}, efConstruction = "
            f"{search.HNSW_EF_CONSTRUCTION}, efSearch = {search.HNSW_EF_SEARCH}), against exact "
            f"search (scikit-learn, brute force, one thread). Latencies are single queries, one "
            f"at a time ({args.queries} songs of the set; exact: 100), k = {K} neighbours, "
            f"the song itself excluded; recall@{K} over the same songs. The all-songs join is "
            f"every song's neighbours from the index: HNSW timed on {JOIN_SAMPLE:,} songs and "
            f"scaled to N (the stage's figures read exact neighbours of at most "
            f"`retrieval.max_queries` songs instead). Machine: {description}.", "",
            *table(rows), "", *[f"- {v}" for v in verdicts]]))
        print(f"written to {args.out}")
    return 0 if recall_ok and query_ok else 1


if __name__ == "__main__":
    sys.exit(main())
