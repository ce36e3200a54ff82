"""ConvVAE: 1-D convolutions over the z-scored (24, L) segment sequences, pooled over time.

Why pooled: genre lives in how a song sounds overall (its timbre and chroma statistics),
not in where in the song a given segment falls. An encoder that flattens the conv map
into a dense layer sees every position separately, and a reconstruction summed over
24 x L values rewards it for spending the latent on per-position detail (the first
design did exactly that: NMI 0.002 on planted genres). Here the convolutions see local
texture (a few neighbouring segments), then their outputs are averaged and their spread
taken over each song's valid steps only: the code is the same wherever in the song a
pattern occurs and does not depend on the padding, so it can only describe the song.

The decoder turns the code into each channel's mean and variance for the song, and every
valid step is scored under that Gaussian. A deconvolution stack (the first two designs)
cost nearly twice the encoder's time (1.8x) and, fed a time-invariant code, could only add
position patterns tied to the padding, which is what the code should not describe. The
likelihood counts only each song's first ``length`` steps, summed over steps and channels,
so the variance matters: a song's texture, not only its average segment, is in the code.
As the Gaussian is the same at every step, the likelihood needs only each channel's sum and
sum of squares over the song's steps; ``prepare`` computes them once, with the relative
sequences below, and a training step no longer touches every step of the likelihood (a
step on one core about 9.7 -> 7.2 ms).

Why each song is read relative to itself: a likelihood over the raw sequence spends a
16-d code on what is largest, not on what describes the song's music. On the default data
(issue 10's measurements) knowing each song's own per-channel means and chroma spread saves
far more than knowing its timbre texture (350 nats for the chroma spread against 30 for the
timbre spread), yet the chroma spread follows each song's own weighting of its notes (its
key and melody) and the song means are mostly artist and song offsets; the genre is in the
timbre texture (z-scored timbre spread of the window alone: k-NN 0.96). So before the
encoder and in the likelihood, each song's timbre is centred on its own average, and each
chroma channel is standardised to the song's own mean and spread (chroma values are
relative, each segment's strongest pitch is 1, so their scale says which notes the song
uses). What is left is how the song moves: its timbre spread and the motion of its chroma.
The song's average sound is what the statistical models (AE, PCA) already read. With that
description worth only some nats a song, beta 1 lets the KL close most of the code (k-NN
0.64); model.conv_vae.beta 0.1 keeps it (0.92, against PCA's 0.80).
"""

from songspace.models.base import Batch, SongModel, mlp, vae_parts
from songspace.models.layers import exact
from songspace.models.layers.portable_conv import PortableConv1d
from songspace.models.spec import MethodSpec

import torch
from torch import Tensor, nn

SPEC = MethodSpec(
    name="conv_vae", title="ConvVAE", model="ConvVAE", reads="sequences", per_seed=True,
    params={"latent_dim": "an integer >= 1", "channels": "a list of integers >= 1",
            "beta": "a number > 0"},
)

KERNEL, STRIDE, PADDING = 5, 2, 2
LOGVAR_LIMIT = 8.0  # keeps exp(-logvar) finite while the decoder is untrained
TIMBRE_CHANNELS = 12  # the first 12 channels are timbre, the rest chroma (features/extract.py)
SPREAD_FLOOR = 1e-2  # a chroma channel that never moves in a song stays 0, not noise / 0
PREPARE_CHUNK = 2048  # songs at a time in prepare, to bound its intermediate arrays


def step_mask(lengths: Tensor, n_steps: int) -> Tensor:
    """(songs, 1, n_steps) float mask: 1 on each song's first ``lengths`` steps."""
    steps = torch.arange(n_steps, device=lengths.device)
    return (steps[None, :] < lengths[:, None]).unsqueeze(1).float()


def song_gaussian_nll(mean: Tensor, logvar: Tensor, step_sums: Tensor, square_sums: Tensor,
                      counts: Tensor) -> Tensor:
    """Gaussian negative log-likelihood (without the constant) of each song's true steps
    under its one per-channel (mean, log-variance), summed over steps and channels, averaged
    over songs. All (songs, channels); the data enter through each channel's sum and sum of
    squares over the song's true steps (``counts`` of them): the same at every step, the
    distribution makes sum (x - mean)^2 = sum x^2 - 2 mean sum x + n mean^2."""
    squares = square_sums - 2 * mean * step_sums + counts * mean.pow(2)
    return (0.5 * (squares * torch.exp(-logvar) + counts * logvar)).sum(1).mean()


def masked_mean_std(hidden: Tensor, lengths: Tensor) -> Tensor:
    """(songs, 2 x channels): mean and std of each channel over each song's valid steps
    (exact.sqrt: torch.sqrt's bits follow the CPU's approximate instructions)."""
    mask = step_mask(lengths, hidden.shape[2])
    count = mask.sum(2).clamp(min=1)
    mean = (hidden * mask).sum(2) / count
    var = ((hidden - mean.unsqueeze(2)).pow(2) * mask).sum(2) / count
    return torch.cat([mean, exact.sqrt(var + 1e-6)], 1)


def relative_to_song(x: Tensor, lengths: Tensor) -> Tensor:
    """Each song's timbre centred on its own mean, its chroma standardised to its own mean and
    spread, over its valid steps; zero past each length."""
    mask = step_mask(lengths, x.shape[2])
    count = mask.sum(2, keepdim=True).clamp(min=1)
    mean = (x * mask).sum(2, keepdim=True) / count
    centred = (x - mean) * mask
    spread = exact.sqrt(centred.pow(2).sum(2, keepdim=True) / count).clamp(min=SPREAD_FLOOR)
    timbre, chroma = centred[:, :TIMBRE_CHANNELS], centred[:, TIMBRE_CHANNELS:]
    return torch.cat([timbre, chroma / spread[:, TIMBRE_CHANNELS:]], 1)


class ConvVAE(SongModel):
    def __init__(self, n_channels: int, seq_len: int, latent_dim: int, channels: list[int],
                 beta: float):
        super().__init__()
        self.latent_dim, self.beta, self.n_layers = latent_dim, beta, len(channels)
        self.seq_len = seq_len
        widths = [n_channels, *channels]
        encoder: list[nn.Module] = []
        for n_in, n_out in zip(widths[:-1], widths[1:], strict=True):
            encoder += [PortableConv1d(n_in, n_out, KERNEL, STRIDE, PADDING), nn.ReLU()]
        self.encoder = nn.Sequential(*encoder)
        self.to_mean = nn.Linear(2 * channels[-1], latent_dim)
        self.to_logvar = nn.Linear(2 * channels[-1], latent_dim)
        # each channel's mean and log-variance for the whole song
        self.decoder = mlp([latent_dim, 2 * channels[-1], 2 * n_channels])

    @classmethod
    def from_params(cls, params: dict, shapes: tuple[tuple[int, ...], ...]) -> "ConvVAE":
        config = params["model"]["conv_vae"]
        n_channels, seq_len = shapes[0]
        return cls(n_channels, seq_len, config["latent_dim"], list(config["channels"]),
                   config["beta"])

    def encode(self, x: Tensor, lengths: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Pooled over each song's valid steps (all of them when ``lengths`` is None)."""
        if lengths is None:
            lengths = torch.full((x.shape[0],), x.shape[2], device=x.device)
        return self._encode_relative(relative_to_song(x, lengths), lengths)

    def _encode_relative(self, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        valid = lengths
        for _ in range(self.n_layers):  # a strided step is valid when its centre step is
            valid = torch.div(valid + 1, STRIDE, rounding_mode="floor")
        # x is zero past each length, so nothing beyond it reaches the code (not even its edge)
        hidden = self.encoder(x)
        pooled = masked_mean_std(hidden, valid)
        return self.to_mean(pooled), self.to_logvar(pooled)

    def decode(self, z: Tensor) -> Tensor:
        """The expected sequence relative to the song (songs, channels, L), at every step."""
        mean, _ = self.song_distribution(z)
        return mean.unsqueeze(2).expand(-1, -1, self.seq_len)

    def song_distribution(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """(mean, log-variance) of each channel for the whole song, both (songs, channels)."""
        mean, logvar = self.decoder(z).chunk(2, dim=1)
        return mean, logvar.clamp(-LOGVAR_LIMIT, LOGVAR_LIMIT)

    @torch.no_grad()
    def prepare(self, inputs: Batch) -> Batch:
        """(sequences relative to each song, lengths, each channel's sum and sum of squares
        over the song's true steps): what the loss reads, fixed during training. Computed
        PREPARE_CHUNK songs at a time into arrays allocated once, so nothing beyond the
        result is held whole (``x`` may be a row store that reads and z-scores each block)."""
        x, lengths = inputs
        if not len(x):
            return x, lengths, x.sum(2), x.pow(2).sum(2)
        relative = step_sums = square_sums = None
        for i in range(0, len(x), PREPARE_CHUNK):
            part = relative_to_song(x[i:i + PREPARE_CHUNK], lengths[i:i + PREPARE_CHUNK])
            if relative is None:
                relative = part.new_empty((len(x), *part.shape[1:]))
                step_sums = part.new_empty((len(x), part.shape[1]))
                square_sums = part.new_empty((len(x), part.shape[1]))
            relative[i:i + len(part)] = part
            # part is zero past each length, so plain sums cover the true steps only
            step_sums[i:i + len(part)] = part.sum(2)
            square_sums[i:i + len(part)] = part.pow(2).sum(2)
        return relative, lengths, step_sums, square_sums

    def loss(self, batch: Batch) -> dict[str, Tensor]:
        relative, lengths, step_sums, square_sums = batch
        mean, logvar = self._encode_relative(relative, lengths)
        song_mean, song_logvar = self.song_distribution(self.sample(mean, logvar))
        counts = lengths.clamp(max=relative.shape[2]).unsqueeze(1).to(relative.dtype)
        recon = song_gaussian_nll(song_mean, song_logvar, step_sums, square_sums, counts)
        return vae_parts(recon, mean, logvar, self.beta)
