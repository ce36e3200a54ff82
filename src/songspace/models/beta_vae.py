"""Beta-VAE: an MLP VAE on the z-scored 144 statistics; loss = recon + beta * KL.

beta (model.beta, 4.0 by default) > 1 presses the posterior towards the prior, trading
reconstruction for a smoother, more factorised latent space.
"""

from songspace.models.base import Batch, SongModel, mlp, squared_error, vae_parts
from songspace.models.spec import MethodSpec

from torch import Tensor, nn

# beta stays model.beta, outside the block: `dvc exp run -S model.beta=2` is the sweep the
# project is known by, and params.yaml's methods names it as this method's stage's.
SPEC = MethodSpec(
    name="beta_vae", title="Beta-VAE", model="BetaVAE", reads="statistics", per_seed=True,
    params={"latent_dim": "an integer >= 1", "hidden": "a list of integers >= 1"},
    also_reads={"model.beta": "a number > 0"},
)


class BetaVAE(SongModel):
    def __init__(self, n_features: int, latent_dim: int, hidden: list[int], beta: float):
        super().__init__()
        self.latent_dim, self.beta = latent_dim, beta
        self.encoder = mlp([n_features, *hidden], final_activation=True)
        self.to_mean = nn.Linear(hidden[-1], latent_dim)
        self.to_logvar = nn.Linear(hidden[-1], latent_dim)
        self.decoder = mlp([latent_dim, *reversed(hidden), n_features])

    @classmethod
    def from_params(cls, params: dict, shapes: tuple[tuple[int, ...], ...]) -> "BetaVAE":
        config = params["model"]["beta_vae"]
        return cls(shapes[0][0], config["latent_dim"], list(config["hidden"]),
                   params["model"]["beta"])

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        hidden = self.encoder(x)
        return self.to_mean(hidden), self.to_logvar(hidden)

    def decode(self, z: Tensor) -> Tensor:
        return self.decoder(z)

    def loss(self, batch: Batch) -> dict[str, Tensor]:
        (x,) = batch
        reconstruction, mean, logvar = self(x)
        return vae_parts(squared_error(reconstruction, x), mean, logvar, self.beta)
