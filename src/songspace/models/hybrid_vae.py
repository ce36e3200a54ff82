"""HybridVAE: audio statistics and artist-term TF-IDF encoded apart, fused, decoded to both.

loss = audio recon + alpha * text recon + beta * KL, each a per-song negative
log-likelihood:
- audio: squared error summed over the 144 z-scored statistics (as the AE and Beta-VAE);
- text: the song's words as a bag of words drawn from a softmax over the vocabulary (a
  multinomial likelihood, as in Mult-VAE and ProdLDA), each word counted by its share of
  the song's TF-IDF mass times the number of words the song has.

Why not binary cross-entropy per vocabulary entry, as the first design had: TF-IDF values
are small (about 0.2 for a present word, 0 for the other 980), so BCE is mostly the
entropy of the targets, which no latent can reduce; its reducible part was a few nats
against about 140 for the audio, and the latent ignored the text (on real songs it held no
more genre than audio-only PCA). The multinomial term is reducible by about 5 nats per
word, roughly 100 per song, so the text is a real part of the objective. alpha (8 by
default) weighs about 20 words a song against 144 audio values; with it the latent keeps
most of what the tags say and the audio is still reconstructed.
"""

from songspace.models.base import Batch, SongModel, mlp, squared_error, vae_parts
from songspace.models.spec import MethodSpec

import torch
import torch.nn.functional as F
from torch import Tensor, nn

SPEC = MethodSpec(
    name="hybrid_vae", title="HybridVAE", model="HybridVAE", reads="statistics+tfidf",
    per_seed=True,
    params={"latent_dim": "an integer >= 1", "fusion_dim": "an integer >= 1",
            "audio_hidden": "an integer >= 1", "text_hidden": "an integer >= 1",
            "alpha": "a number >= 0", "beta": "a number > 0",
            "mask_genre_terms": "true or false"},
)

def bag_of_words_nll(logits: Tensor, tfidf: Tensor) -> Tensor:
    """Multinomial negative log-likelihood of each song's words, averaged over songs.

    A song with n words (non-zero TF-IDF entries) counts each word n x its share of the
    row's TF-IDF mass; a song without words adds 0.
    """
    n_words = (tfidf > 0).sum(1, keepdim=True).to(tfidf.dtype)
    counts = tfidf / tfidf.sum(1, keepdim=True).clamp(min=1e-12) * n_words
    return -(counts * F.log_softmax(logits, 1)).sum(1).mean()


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
        config = params["model"]["hybrid_vae"]
        return cls(shapes[0][0], shapes[1][0], config["latent_dim"], config["fusion_dim"],
                   config["audio_hidden"], config["text_hidden"], config["alpha"],
                   config["beta"])

    def encode(self, audio: Tensor, text: Tensor) -> tuple[Tensor, Tensor]:
        fused = self.fusion(torch.cat([self.audio_encoder(audio), self.text_encoder(text)], 1))
        return self.to_mean(fused), self.to_logvar(fused)

    def decode(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """(audio reconstruction, text logits over the vocabulary)."""
        hidden = self.from_latent(z)
        return self.audio_decoder(hidden), self.text_decoder(hidden)

    def loss(self, batch: Batch) -> dict[str, Tensor]:
        audio, text = batch
        (audio_out, text_logits), mean, logvar = self(audio, text)
        recon_audio = squared_error(audio_out, audio)
        recon_text = bag_of_words_nll(text_logits, text)
        parts = vae_parts(recon_audio + self.alpha * recon_text, mean, logvar, self.beta)
        return {**parts, "recon_audio": recon_audio, "recon_text": recon_text}
