"""One training loop for every neural model, its inputs and its outputs on disk."""
