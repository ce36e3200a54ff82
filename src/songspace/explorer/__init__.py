"""An offline page that puts the learned spaces side by side: linked maps, search, and each
song's nearest neighbours in a chosen latent space (stages/explore.py writes it)."""
