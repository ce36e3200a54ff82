"""Put any song into a trained space, from Python (the commands `songspace embed` and
`songspace similar --file` run on the same code).

    import songspace  # first: it pins the CPU kernels before numpy and torch load
    from songspace.space import load_space

    space = load_space("path/to/project", "hybrid_vae")        # seed: the first training seed
    found = space.embed(["../shared/msd/dev"])                 # or one .h5, or the MSS .tar.gz
    found.songs        # track_id, title, artist_name, source_file, index_in_file, artist_id, ...
    found.vectors      # (songs, 32) float32, row i for found.songs row i
    found.skipped      # songs that could not be embedded, with the reason
    space.nearest(found.vectors[0], k=10)          # the 10 nearest subset songs, with distance
    space.nearest(space.songs.track_id[0], k=10)   # or a subset song's (itself left out)

A song of the training subset gets exactly its stored latent (data/latents/<method>/
seed_<s>.npy), bit for bit on the CPU.
"""

from songspace.space.trained import Embedded, Space, load_space

__all__ = ["Embedded", "Space", "load_space"]
