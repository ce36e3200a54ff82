"""The embedded default data: synthetic songs in the exact MSD HDF5 layout, with planted
genre structure, so the pipeline runs end to end on a fresh clone with no download."""
