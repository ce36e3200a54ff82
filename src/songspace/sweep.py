"""One picture of a parameter sweep: a method's headline scores against one parameter, read
from `dvc exp show --json` (every experiment of the workspace, the baseline included).

    python -m songspace.sweep --param model.beta --method beta_vae --out reports/beta_sweep.png

An experiment counts once per value of the parameter (the newest, as DVC lists them).
"""

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.evaluation.pictures import plt, save_png

HEADLINE = "metrics/headline.json"
SCORES = (("nmi", "NMI"), ("knn_accuracy", "k-NN accuracy (artist-filtered)"),
          ("similar_artist_rate", "similar-artist hit rate"))


def _records(tree) -> Iterator[dict]:
    """Every {params, metrics} record in DVC's nested exp show JSON."""
    if isinstance(tree, dict):
        data = tree.get("data")
        if isinstance(data, dict) and "params" in data and "metrics" in data:
            yield {"name": tree.get("name") or tree.get("rev"), **data}
        for value in tree.values():
            yield from _records(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from _records(item)


def _dig(tree: dict, dotted: str):
    for part in dotted.split("."):
        if not isinstance(tree, dict) or part not in tree:
            return None
        tree = tree[part]
    return tree


def points(shown, param: str, method: str) -> list[tuple[float, dict[str, float]]]:
    """(parameter value, that method's headline scores), one per value, sorted."""
    found: dict[float, dict[str, float]] = {}
    for record in _records(shown):
        value = _dig(record["params"].get("params.yaml", {}).get("data", {}), param)
        scores = _dig(record["metrics"].get(HEADLINE, {}).get("data", {}), method)
        if isinstance(value, int | float) and isinstance(scores, dict):
            found.setdefault(float(value), scores)
    return sorted(found.items())


def draw(found: list[tuple[float, dict[str, float]]], param: str, method: str,
         out: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    xs = [x for x, _ in found]
    for key, label in SCORES:
        ys = [scores.get(key) for _, scores in found]
        if any(y is not None for y in ys):
            ax.plot(xs, ys, marker="o", label=label)
    ax.set_xscale("log", base=2)
    ax.set_xticks(xs, [f"{x:g}" for x in xs])
    ax.set_xlabel(param)
    ax.set_ylabel("score (mean over training seeds)")
    ax.set_title(f"{method}: headline scores against {param}", fontsize=11)
    ax.legend(frameon=False)
    fig.tight_layout()
    save_png(fig, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--param", default="model.beta")
    parser.add_argument("--method", default="beta_vae")
    parser.add_argument("--out", type=Path, default=Path("reports/beta_sweep.png"))
    args = parser.parse_args(argv)
    try:
        shown = json.loads(subprocess.run(["dvc", "exp", "show", "--json"], check=True,
                                          capture_output=True, text=True).stdout)
        found = points(shown, args.param, args.method)
        if len(found) < 2:
            raise SongspaceError(f"fewer than 2 experiments with distinct {args.param}; run "
                                 "the sweep first (README: A sweep in one command)")
        draw(found, args.param, args.method, args.out)
    except SongspaceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"error: `dvc exp show --json` failed ({error}); run from the project root",
              file=sys.stderr)
        return 2
    for value, scores in found:
        print(f"{args.param}={value:g}: " + ", ".join(f"{k} {scores.get(k)}" for k, _ in SCORES))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
