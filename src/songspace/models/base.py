"""The interface every neural song model offers, so one training loop and one evaluation
path serve them all, plus the small pieces the models share.

Losses are per-song sums averaged over the batch: squared error summed over the features
(a unit-variance Gaussian likelihood on z-scored inputs) and KL summed over latent dims, so
beta weighs two quantities in the same units, as in the Beta-VAE paper.
"""

from abc import ABC, abstractmethod

import torch
from torch import Tensor, nn

Batch = tuple[Tensor, ...]


class SongModel(nn.Module, ABC):
    """encode -> (mean, logvar or None), decode, and loss(batch) -> named parts.

    What a neural method's file gives (README, "Add a model"): a subclass that sets
    ``latent_dim``, implements encode, decode and loss (and prepare if it has per-song work),
    and a classmethod ``from_params(params, shapes)`` that builds it from params.yaml (its
    block, params["model"][<name>]) and its inputs' shapes without the song axis; beside it,
    the file's SPEC (models/spec.py) says what it reads and which params it takes.

    ``loss`` always returns "loss", "recon" and "kl" (0 for deterministic models), with
    loss = recon + beta * kl, so every model's curves have the same columns. It reads a
    batch of what ``prepare`` derives from the inputs (the inputs themselves unless a model
    has per-song work that does not change during training).
    A batch is the tuple of tensors the model's inputs hold, first dimension the songs;
    ``encode(*batch)`` must accept all of them (and may ignore some).
    """

    latent_dim: int

    @abstractmethod
    def encode(self, *inputs: Tensor) -> tuple[Tensor, Tensor | None]:
        """(latent mean, log-variance); log-variance is None for a deterministic encoder."""

    @abstractmethod
    def decode(self, z: Tensor):
        """Reconstruction(s) from latent codes."""

    @abstractmethod
    def loss(self, batch: Batch) -> dict[str, Tensor]:
        """Named scalar parts of the objective, including "loss", "recon" and "kl", on a
        batch of ``prepare``'s output."""

    @torch.no_grad()
    def prepare(self, inputs: Batch) -> Batch:
        """What ``loss`` reads, from the model's input arrays (every song), computed once
        per training run rather than at every step. Default: the inputs themselves."""
        return inputs

    def forward(self, *inputs: Tensor):
        """(reconstruction, mean, logvar); samples z only in training mode."""
        mean, logvar = self.encode(*inputs)
        return self.decode(self.sample(mean, logvar)), mean, logvar

    def sample(self, mean: Tensor, logvar: Tensor | None) -> Tensor:
        """Reparameterised draw while training; the mean in eval mode, so validation losses
        and latents do not depend on noise."""
        if logvar is None or not self.training:
            return mean
        return mean + torch.randn_like(mean) * torch.exp(0.5 * logvar)

    @torch.no_grad()
    def latent(self, batch: Batch, chunk: int = 2048) -> Tensor:
        """Latent means of every row of ``batch``, in eval mode, in chunks to bound memory.

        A song's latent is the same bits whatever it is encoded with (the subset's stored
        latents, or one new file): see ``pad_rows``. One thread, whatever train.threads:
        MKL splits the rows between threads, and a thread's share of a small batch would
        be too few rows for its main kernel."""
        was_training, threads = self.training, torch.get_num_threads()
        self.eval()
        torch.set_num_threads(1)
        try:
            parts = []
            for start in range(0, batch[0].shape[0], chunk):
                rows = tuple(t[start:start + chunk] for t in batch)
                parts.append(self.encode(*pad_rows(rows))[0][:len(rows[0])])
        finally:
            self.train(was_training)
            torch.set_num_threads(threads)
        return torch.cat(parts) if parts else batch[0].new_zeros((0, self.latent_dim))


# Rows are encoded in multiples of this. MKL's sgemm (under every linear layer) runs rows
# through its main kernel, four at a time, only when a matrix has at least 8 rows and a
# multiple of 4: the rows past the last multiple of 4, and every row of a smaller matrix,
# go to kernels that sum in another order (measured: other bits in the last place). And
# torch convolves a batch of one song without oneDNN. Padding every chunk to a multiple of
# 8 puts each song on the same path, so its latent does not depend on how many songs are
# encoded with it (tests/test_models.py checks it).
ROW_MULTIPLE = 8


def pad_rows(batch: Batch) -> Batch:
    """``batch`` with its last row repeated up to a multiple of ROW_MULTIPLE rows."""
    n = batch[0].shape[0]
    missing = -n % ROW_MULTIPLE
    if not missing or not n:
        return batch
    return tuple(torch.cat([t, t[-1:].expand(missing, *t.shape[1:])]) for t in batch)


def mlp(sizes: list[int], final_activation: bool = False) -> nn.Sequential:
    """Linear layers through ``sizes`` with ReLU between (and after the last if asked)."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out))
        if final_activation or i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def squared_error(reconstruction: Tensor, target: Tensor) -> Tensor:
    """Squared error summed over each song's features, averaged over songs."""
    return (reconstruction - target).pow(2).flatten(1).sum(1).mean()


def gaussian_kl(mean: Tensor, logvar: Tensor) -> Tensor:
    """KL(q(z|x) || N(0, I)) summed over latent dims, averaged over songs."""
    return (-0.5 * (1 + logvar - mean.pow(2) - logvar.exp())).sum(1).mean()


def vae_parts(recon: Tensor, mean: Tensor, logvar: Tensor, beta: float) -> dict[str, Tensor]:
    """The standard parts: recon + beta * KL."""
    kl = gaussian_kl(mean, logvar)
    return {"loss": recon + beta * kl, "recon": recon, "kl": kl}
