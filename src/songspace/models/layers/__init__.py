"""Building blocks a model file may share (layers, exact operations): every train stage
depends on this folder, so a new one needs no dvc.yaml edit. A model itself is one file in
songspace/models/, named as its method."""
