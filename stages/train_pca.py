"""Stage train_pca: PCA of the z-scored 144 statistics, the linear baseline.

Deterministic, so one fit serves every training seed: it writes only seed_0 latents.
"""

from songspace.cli import run_stage
from songspace.io import write_text
from songspace.models.pca import PCAModel
from songspace.params import load_params
from songspace.training import outputs
from songspace.training.inputs import stats_inputs

import numpy as np


def main() -> None:
    n_components = load_params()["model"]["pca"]["n_components"]
    inputs = stats_inputs()
    (stats,) = inputs.arrays
    pca = PCAModel.fit(stats, n_components)
    pca.save(outputs.PCA_MODEL)
    outputs.save_latents(pca.transform(stats), outputs.latent_path("pca", 0))
    ratio = pca.explained_variance_ratio
    outputs.write_metrics("pca", {"model": "pca", "n_components": n_components,
                                  "explained_variance_ratio_total": float(ratio.sum())})
    cumulative = np.cumsum(ratio)
    rows = [f"{i + 1},{r:.6g},{c:.6g}" for i, (r, c) in enumerate(zip(ratio, cumulative,
                                                                       strict=True))]
    write_text(outputs.curves_path("pca"),
               "component,explained_variance_ratio,cumulative\n" + "\n".join(rows) + "\n")
    print(f"train_pca: {n_components} components explain {ratio.sum():.1%} of the variance")


if __name__ == "__main__":
    run_stage(main)
