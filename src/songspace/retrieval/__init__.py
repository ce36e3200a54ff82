"""Similar songs: nearest neighbours in a learned space, judged against the MSD's own
artist-similarity graph, the artists and the derived genres."""
