"""Model name (as in stage names, models/<name>/ and data/latents/<name>/) -> class.

Imports lazily, so looking up one model loads only its own file.
"""

import importlib

from songspace.errors import SongspaceError

MODELS = {
    "ae": "songspace.models.autoencoder:Autoencoder",
    "beta_vae": "songspace.models.beta_vae:BetaVAE",
    "conv_vae": "songspace.models.conv_vae:ConvVAE",
    "hybrid_vae": "songspace.models.hybrid_vae:HybridVAE",
    "pca": "songspace.models.pca:PCAModel",
}
NEURAL = ("ae", "beta_vae", "conv_vae", "hybrid_vae")


def model_class(name: str) -> type:
    """The class registered as ``name``."""
    if name not in MODELS:
        raise SongspaceError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    module, attribute = MODELS[name].split(":")
    return getattr(importlib.import_module(module), attribute)


def build_model(name: str, params: dict, shapes: tuple[tuple[int, ...], ...]):
    """A fresh neural model from params.yaml and its input shapes (without the song axis)."""
    if name not in NEURAL:
        raise SongspaceError(f"{name!r} is not a neural model; neural: {', '.join(NEURAL)}")
    return model_class(name).from_params(params, shapes)
