"""Reading (and, for the synthetic default, writing) Million Song Dataset HDF5 files."""
