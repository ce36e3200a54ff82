"""ConvVAE: 1-D convolutions over the z-scored (24, L) segment sequences.

Each strided Conv1d halves the time axis; the decoder mirrors it with transposed
convolutions sized to land exactly on L. Songs shorter than L are zero-padded, so the
reconstruction error counts only each song's first ``length`` steps: the model is not
rewarded for learning where padding starts.
"""

import torch
from torch import Tensor, nn

from songspace.models.base import Batch, SongModel, vae_parts

KERNEL, STRIDE, PADDING = 5, 2, 2


def _halved(length: int) -> int:
    return (length + 2 * PADDING - KERNEL) // STRIDE + 1


def masked_squared_error(reconstruction: Tensor, target: Tensor, lengths: Tensor) -> Tensor:
    """Squared error over each song's true steps (all channels), averaged over songs."""
    steps = torch.arange(target.shape[2], device=target.device)
    mask = (steps[None, :] < lengths[:, None]).unsqueeze(1)
    return ((reconstruction - target).pow(2) * mask).sum((1, 2)).mean()


class ConvVAE(SongModel):
    def __init__(self, n_channels: int, seq_len: int, latent_dim: int, channels: list[int],
                 beta: float):
        super().__init__()
        self.latent_dim, self.beta = latent_dim, beta
        widths = [n_channels, *channels]
        lengths = [seq_len]
        for _ in channels:
            lengths.append(_halved(lengths[-1]))
        self.code_shape = (channels[-1], lengths[-1])
        flat = channels[-1] * lengths[-1]
        encoder: list[nn.Module] = []
        for n_in, n_out in zip(widths[:-1], widths[1:], strict=True):
            encoder += [nn.Conv1d(n_in, n_out, KERNEL, STRIDE, PADDING), nn.ReLU()]
        self.encoder = nn.Sequential(*encoder, nn.Flatten())
        self.to_mean = nn.Linear(flat, latent_dim)
        self.to_logvar = nn.Linear(flat, latent_dim)
        self.from_latent = nn.Sequential(nn.Linear(latent_dim, flat), nn.ReLU())
        decoder: list[nn.Module] = []
        for i in range(len(channels), 0, -1):
            # output_padding picks the one of two possible lengths the encoder came from
            extra = lengths[i - 1] - ((lengths[i] - 1) * STRIDE - 2 * PADDING + KERNEL)
            decoder.append(nn.ConvTranspose1d(widths[i], widths[i - 1], KERNEL, STRIDE,
                                              PADDING, output_padding=extra))
            if i > 1:
                decoder.append(nn.ReLU())
        self.decoder = nn.Sequential(*decoder)

    @classmethod
    def from_params(cls, params: dict, shapes: tuple[tuple[int, ...], ...]) -> "ConvVAE":
        config = params["model"]["conv"]
        n_channels, seq_len = shapes[0]
        return cls(n_channels, seq_len, config["latent_dim"], list(config["channels"]),
                   config["beta"])

    def encode(self, x: Tensor, lengths: Tensor | None = None) -> tuple[Tensor, Tensor]:
        hidden = self.encoder(x)
        return self.to_mean(hidden), self.to_logvar(hidden)

    def decode(self, z: Tensor) -> Tensor:
        return self.decoder(self.from_latent(z).view(-1, *self.code_shape))

    def loss(self, batch: Batch) -> dict[str, Tensor]:
        x, lengths = batch
        reconstruction, mean, logvar = self(x)
        recon = masked_squared_error(reconstruction, x, lengths)
        return vae_parts(recon, mean, logvar, self.beta)
