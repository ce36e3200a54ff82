"""Autoencoder: a deterministic MLP on the z-scored 144 statistics, squared-error loss.

The non-variational baseline: the same encoder shape as the Beta-VAE, no KL, so any
difference between the two comes from the variational prior.
"""

from songspace.models.base import Batch, SongModel, mlp, squared_error
from songspace.models.spec import MethodSpec

import torch
from torch import Tensor

SPEC = MethodSpec(
    name="ae", title="AE", model="Autoencoder", reads="statistics", per_seed=True,
    params={"latent_dim": "an integer >= 1", "hidden": "a list of integers >= 1"},
)


class Autoencoder(SongModel):
    def __init__(self, n_features: int, latent_dim: int, hidden: list[int]):
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = mlp([n_features, *hidden, latent_dim])
        self.decoder = mlp([latent_dim, *reversed(hidden), n_features])

    @classmethod
    def from_params(cls, params: dict, shapes: tuple[tuple[int, ...], ...]) -> "Autoencoder":
        config = params["model"]["ae"]
        return cls(shapes[0][0], config["latent_dim"], list(config["hidden"]))

    def encode(self, x: Tensor) -> tuple[Tensor, None]:
        return self.encoder(x), None

    def decode(self, z: Tensor) -> Tensor:
        return self.decoder(z)

    def loss(self, batch: Batch) -> dict[str, Tensor]:
        (x,) = batch
        recon = squared_error(self(x)[0], x)
        return {"loss": recon, "recon": recon, "kl": torch.zeros_like(recon)}
