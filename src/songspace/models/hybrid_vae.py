"""HybridVAE: audio statistics and artist-term TF-IDF encoded apart, fused, decoded to both.

loss = audio recon + alpha * text recon + beta * KL. The audio part is squared error over
the 144 z-scored statistics; the text part is binary cross-entropy summed over the
vocabulary with each TF-IDF weight (in [0, 1]) as a soft target, so both are per-song
negative log-likelihoods and alpha weighs like with like. "recon" is their weighted sum,
so loss = recon + beta * kl as for every model.
"""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from songspace.models.base import Batch, SongModel, mlp, squared_error, vae_parts


class HybridVAE(SongModel):
    def __init__(self, n_audio: int, n_text: int, latent_dim: int, fusion_dim: int,
                 audio_hidden: int, text_hidden: int, alpha: float, beta: float):
        super().__init__()
        self.latent_dim, self.alpha, self.beta = latent_dim, alpha, beta
        self.audio_encoder = mlp([n_audio, audio_hidden], final_activation=True)
        self.text_encoder = mlp([n_text, text_hidden], final_activation=True)
        self.fusion = mlp([audio_hidden + text_hidden, fusion_dim], final_activation=True)
        self.to_mean = nn.Linear(fusion_dim, latent_dim)
        self.to_logvar = nn.Linear(fusion_dim, latent_dim)
        self.from_latent = mlp([latent_dim, fusion_dim], final_activation=True)
        self.audio_decoder = mlp([fusion_dim, audio_hidden, n_audio])
        self.text_decoder = mlp([fusion_dim, text_hidden, n_text])

    @classmethod
    def from_params(cls, params: dict, shapes: tuple[tuple[int, ...], ...]) -> "HybridVAE":
        config = params["model"]["hybrid"]
        return cls(shapes[0][0], shapes[1][0], config["latent_dim"], config["fusion_dim"],
                   config["audio_hidden"], config["text_hidden"], config["alpha"],
                   config["beta"])

    def encode(self, audio: Tensor, text: Tensor) -> tuple[Tensor, Tensor]:
        fused = self.fusion(torch.cat([self.audio_encoder(audio), self.text_encoder(text)], 1))
        return self.to_mean(fused), self.to_logvar(fused)

    def decode(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """(audio reconstruction, text logits)."""
        hidden = self.from_latent(z)
        return self.audio_decoder(hidden), self.text_decoder(hidden)

    def loss(self, batch: Batch) -> dict[str, Tensor]:
        audio, text = batch
        (audio_out, text_logits), mean, logvar = self(audio, text)
        recon_audio = squared_error(audio_out, audio)
        recon_text = F.binary_cross_entropy_with_logits(text_logits, text,
                                                        reduction="none").sum(1).mean()
        parts = vae_parts(recon_audio + self.alpha * recon_text, mean, logvar, self.beta)
        return {**parts, "recon_audio": recon_audio, "recon_text": recon_text}
