"""Audio features of songs: summary moments, fixed-length sequences and their z-scoring."""
