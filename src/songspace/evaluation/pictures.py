"""Static pictures (matplotlib, Agg: no display needed) with one colour per genre everywhere."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from songspace.io import atomic_path  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

UNLABELLED = "(unlabelled)"
GREY = "#c8c8c8"
# PNG bytes should depend on the data only, not on the matplotlib version.
_METADATA = {"Software": None}


def palette(genres: list[str]) -> dict[str, str]:
    """Genre -> colour, by label order (tab10 without its grey, then the light tab20 ones),
    unlabelled light grey."""
    tab10, tab20 = plt.get_cmap("tab10").colors, plt.get_cmap("tab20").colors
    colours = [*tab10[:7], *tab10[8:], *tab20[1:14:2], *tab20[17::2]]
    mapping = {g: matplotlib.colors.to_hex(colours[i % len(colours)])
               for i, g in enumerate(genres)}
    mapping[UNLABELLED] = GREY
    return mapping


def save_png(fig, path: Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100, metadata=_METADATA)
    plt.close(fig)


def tsne_scatter(path: Path, xy: np.ndarray, labels: np.ndarray, genres: list[str],
                 title: str) -> None:
    """t-SNE map coloured by genre; unlabelled songs drawn first, faint, underneath."""
    colours = palette(genres)
    size = float(np.clip(30_000 / max(len(xy), 1), 4, 24))  # smaller points for more songs
    fig, ax = plt.subplots(figsize=(8.5, 6.5))
    unlabelled = labels < 0
    if unlabelled.any():
        ax.scatter(*xy[unlabelled].T, s=size, c=GREY, alpha=0.5, linewidths=0,
                   label=f"{UNLABELLED} ({unlabelled.sum()})")
    for index, genre in enumerate(genres):
        rows = labels == index
        ax.scatter(*xy[rows].T, s=size, c=colours[genre], alpha=0.8, linewidths=0,
                   label=f"{genre} ({rows.sum()})")
    ax.set_title(title, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), markerscale=3, frameon=False,
              title="genre (songs)")
    fig.tight_layout()
    save_png(fig, path)


def cluster_makeup(path: Path, table: pd.DataFrame, genres: list[str], majority_share: float,
                   title: str) -> None:
    """Genre shares inside each cluster (stacked, largest cluster first) beside all songs.

    A cluster whose bar looks like the "all" bar carries no genre information; the dashed
    line is the majority-class share that purity must beat.
    """
    colours = palette(genres)
    wide = table.pivot_table(index="cluster", columns="genre", values="songs", aggfunc="sum",
                             fill_value=0, sort=False)
    columns = [g for g in [*genres, UNLABELLED] if g in wide.columns]
    wide = wide[columns]
    wide.loc["all"] = wide.sum()
    wide = wide.loc[["all", *[c for c in wide.index if c != "all"]]]
    shares = wide.div(wide.sum(axis=1), axis=0)
    fig, ax = plt.subplots(figsize=(9, 5))
    positions = np.arange(len(shares))
    bottom = np.zeros(len(shares))
    for genre in columns:
        ax.bar(positions, shares[genre], bottom=bottom, color=colours[genre], label=genre,
               width=0.8)
        bottom += shares[genre].to_numpy()
    for x, size in zip(positions, wide.sum(axis=1), strict=True):
        ax.text(x, 1.01, str(int(size)), ha="center", va="bottom", fontsize=8)
    ax.axhline(majority_share, color="black", linestyle="--", linewidth=1,
               label=f"majority share {majority_share:.0%}")
    ax.set_xticks(positions, ["all", *[f"c{c}" for c in shares.index[1:]]])
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("share of the cluster's songs (songs above the bar)")
    ax.set_title(title, fontsize=11)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.tight_layout()
    save_png(fig, path)


def class_imbalance(path: Path, counts: dict[str, int], unlabelled: int,
                    majority_share: float) -> None:
    """Songs per derived genre, with the share a balanced set would give each."""
    genres = list(counts)
    colours = palette(genres)
    names = [*genres, UNLABELLED] if unlabelled else genres
    values = [*counts.values(), unlabelled] if unlabelled else list(counts.values())
    labelled = sum(counts.values())
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(names) + 1.6))
    rows = np.arange(len(names))[::-1]
    ax.barh(rows, values, color=[colours[n] for n in names])
    for row, name, value in zip(rows, names, values, strict=True):
        share = f" ({value / labelled:.1%} of labelled)" if name != UNLABELLED else ""
        ax.text(value, row, f" {value}{share}", va="center", fontsize=8)
    if genres:
        ax.axvline(labelled / len(genres), color="black", linestyle="--", linewidth=1,
                   label="balanced: labelled songs / genres")
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.set_yticks(rows, names)
    ax.set_xlim(0, max(values) * 1.35 if values else 1)
    ax.set_xlabel("songs")
    ax.set_title(f"Derived genres: majority class {majority_share:.1%} of labelled songs",
                 fontsize=11)
    fig.tight_layout()
    save_png(fig, path)
