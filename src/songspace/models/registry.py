"""Method name -> the class that trains it, found through the method's own file.

A method ``name`` is src/songspace/models/<name>.py; its SPEC (models/spec.py) names the
class. Imports lazily, so looking up one method loads only its own file.
"""

import importlib

from songspace.errors import SongspaceError
from songspace.models.spec import spec


def model_class(name: str) -> type:
    """The class that trains ``name`` (one line if the method or its class is unknown)."""
    found = spec(name)
    module = importlib.import_module(f"songspace.models.{name}")
    try:
        return getattr(module, found.model)
    except AttributeError:
        raise SongspaceError(f"src/songspace/models/{name}.py: SPEC names the class "
                             f"{found.model!r}, which the file does not define") from None


def build_model(name: str, params: dict, shapes: tuple[tuple[int, ...], ...]):
    """A fresh neural model from params.yaml and its input shapes (without the song axis)."""
    if not spec(name).per_seed:
        raise SongspaceError(f"{name!r} is not a neural model (its SPEC has per_seed=False)")
    return model_class(name).from_params(params, shapes)
