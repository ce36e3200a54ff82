"""Song models: one small file per model behind the interface in base.py.

Kept import-free so a stage that trains one model loads (and depends on) only that model's
file; songspace.models.registry maps names to classes.
"""
