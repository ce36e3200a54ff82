"""One schema for the whole params.yaml, checked at the start of every stage.

A bad value fails the first stage that runs, in one line that names the key, the
value and what is allowed; an unknown key is answered with the nearest valid name.
"""

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from songspace.errors import SongspaceError

import yaml

PARAMS_FILE = "params.yaml"


@dataclass(frozen=True)
class Rule:
    """How one key is checked: ``check(value)`` is true when the value is allowed."""

    allowed: str
    check: Callable[[Any], bool]


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return (isinstance(value, int | float)) and not isinstance(value, bool)


def integer(low: int | None = None, high: int | None = None) -> Rule:
    text = "an integer" + (f" >= {low}" if low is not None else "")
    text += f" <= {high}" if high is not None else ""
    return Rule(text, lambda v: _is_int(v) and (low is None or v >= low)
                and (high is None or v <= high))


def number(low: float | None = None, high: float | None = None, low_open: bool = False) -> Rule:
    sign = ">" if low_open else ">="
    text = "a number" + (f" {sign} {low}" if low is not None else "")
    text += f" <= {high}" if high is not None else ""

    def check(v):
        if not _is_number(v):
            return False
        if low is not None and (v <= low if low_open else v < low):
            return False
        return high is None or v <= high

    return Rule(text, check)


def one_of(*choices) -> Rule:
    return Rule("one of " + ", ".join(map(str, choices)), lambda v: v in choices)


def int_list(low: int = 0, min_len: int = 1, distinct: bool = False) -> Rule:
    """``distinct``: no value twice (a repeated seed would only repeat a training run)."""
    kind = "distinct integers" if distinct else "integers"
    return Rule(f"a list of at least {min_len} {kind} >= {low}",
                lambda v: isinstance(v, list) and len(v) >= min_len
                and all(_is_int(x) and x >= low for x in v)
                and (not distinct or len(set(v)) == len(v)))


BOOL = Rule("true or false", lambda v: isinstance(v, bool))
TEXT = Rule("a string", lambda v: isinstance(v, str))
NON_EMPTY_TEXT = Rule("a non-empty string", lambda v: isinstance(v, str) and v.strip() != "")
TEXT_LIST = Rule("a non-empty list of strings",
                 lambda v: isinstance(v, list) and len(v) > 0
                 and all(isinstance(x, str) and x.strip() for x in v))
SCHEDULER = Rule("empty (start a LocalCluster) or an address like tcp://host:8786",
                 lambda v: v is None or (isinstance(v, str)
                                         and (v == "" or "://" in v or ":" in v)))

SCHEMA: dict[str, Rule] = {
    "seed": integer(0),
    "synthetic.n_songs": integer(1),
    "synthetic.separation": number(0),
    "synthetic.songs_per_artist": number(1),
    "data.source": NON_EMPTY_TEXT,
    "data.task": NON_EMPTY_TEXT,  # checked against data.task_sizes below
    "data.task_sizes": Rule("a mapping of task name to a song count >= 1",
                            lambda v: isinstance(v, dict) and len(v) > 0
                            and all(isinstance(k, str) and _is_int(n) and n >= 1
                                    for k, n in v.items())),
    "data.max_bad_fraction": number(0, 1),
    "features.seq_len": integer(1),
    "features.min_segments": integer(1),
    "features.workers": integer(0),
    "features.batch_size": integer(1),
    "features.engine": one_of("local", "dask"),
    "features.scheduler": SCHEDULER,
    "tfidf.max_features": integer(1),
    "tfidf.stop_words": Rule("english or none", lambda v: v in ("english", None, "none")),
    "genres.n": integer(2),
    "genres.candidates": TEXT_LIST,
    "train.seeds": int_list(0, distinct=True),
    "train.max_epochs": integer(1),
    "train.batch_size": integer(1),
    "train.lr": number(0, low_open=True),
    "train.weight_decay": number(0),
    "train.lr_factor": Rule("a number > 0 and < 1", lambda v: _is_number(v) and 0 < v < 1),
    "train.lr_patience": integer(0),
    "train.early_stopping_patience": integer(1),
    "train.val_fraction": Rule("a number > 0 and < 1", lambda v: _is_number(v) and 0 < v < 1),
    "train.device": one_of("auto", "cpu", "cuda"),
    "train.threads": integer(1),
    "train.workers": integer(0),
    "model.beta": number(0, low_open=True),
    "model.ae.latent_dim": integer(1),
    "model.ae.hidden": int_list(1),
    "model.beta_vae.latent_dim": integer(1),
    "model.beta_vae.hidden": int_list(1),
    "model.conv.latent_dim": integer(1),
    "model.conv.channels": int_list(1),
    "model.conv.beta": number(0, low_open=True),
    "model.hybrid.latent_dim": integer(1),
    "model.hybrid.fusion_dim": integer(1),
    "model.hybrid.audio_hidden": integer(1),
    "model.hybrid.text_hidden": integer(1),
    "model.hybrid.alpha": number(0),
    "model.hybrid.beta": number(0, low_open=True),
    "model.hybrid.mask_genre_terms": BOOL,
    "model.pca.n_components": integer(1),
    "cluster.k": integer(2),
    "cluster.n_init": integer(1),
    "cluster.algorithm": one_of("kmeans", "minibatch"),
    "cluster.silhouette_max": integer(2),
    "cluster.knn_max": integer(2),
    "cluster.knn_neighbors": integer(1),
    "cluster.cv_folds": integer(2),
    "cluster.random_repeats": integer(1),
    "tsne.perplexity": number(1),
    "tsne.max_songs": integer(4),
    "tsne.threads": integer(1),
    "retrieval.k": integer(1),
    "retrieval.metric": one_of("euclidean", "cosine"),
    "retrieval.exact_max": integer(2),
    "retrieval.max_queries": integer(1),
}

# Keys whose value is a mapping checked as a whole (its inner keys are free).
_OPAQUE = {key for key, rule in SCHEMA.items() if key == "data.task_sizes"}


def _flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and path not in _OPAQUE:
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _nearest(key: str) -> str:
    close = difflib.get_close_matches(key, SCHEMA.keys(), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else f"; valid top-level keys: {_top_keys()}"


def _top_keys() -> str:
    return ", ".join(sorted({k.split(".")[0] for k in SCHEMA}))


def validate(params: dict, source: str | None = None) -> dict:
    """Check every key of ``params`` against SCHEMA; raise SongspaceError on the first problem.

    With ``source`` (the file the params came from) named in messages.
    """
    where = source or PARAMS_FILE
    if not isinstance(params, dict):
        raise SongspaceError(f"{where}: expected a mapping of keys, got {type(params).__name__}")
    flat = _flatten(params)
    for key in flat:
        if key not in SCHEMA:
            raise SongspaceError(f"{where}: unknown key {key}{_nearest(key)}")
    for key, rule in SCHEMA.items():
        if key not in flat:
            raise SongspaceError(f"{where}: missing key {key} (expected {rule.allowed})")
        if not rule.check(flat[key]):
            raise SongspaceError(
                f"{where}: {key} = {flat[key]!r} is not allowed; expected {rule.allowed}")
    tasks = params["data"]["task_sizes"]
    if params["data"]["task"] != "all" and params["data"]["task"] not in tasks:
        allowed = ", ".join([*tasks, "all"])
        raise SongspaceError(
            f"{where}: data.task = {params['data']['task']!r} is not allowed; "
            f"expected one of {allowed}")
    if params["genres"]["n"] > len(params["genres"]["candidates"]):
        raise SongspaceError(
            f"{where}: genres.n = {params['genres']['n']} is larger than the "
            f"{len(params['genres']['candidates'])} genres.candidates; lower it or add candidates")
    return params


def check_source_exists(params: dict) -> Path:
    """Return data.source as a Path, or stop in one line if nothing is there."""
    source = Path(params["data"]["source"]).expanduser()
    if not source.exists():
        raise SongspaceError(
            f"data.source = {params['data']['source']!r} does not exist; point it at a directory "
            "of MSD .h5 files, one .h5 file or millionsongsubset.tar.gz")
    return source


def load_params(path: str | Path = PARAMS_FILE) -> dict:
    """Read and validate params.yaml."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            params = yaml.safe_load(handle)
    except FileNotFoundError:
        raise SongspaceError(f"{path} not found; run from the project root (where dvc.yaml is)"
                             ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise SongspaceError(f"{path}: not valid YAML{line}; fix the syntax") from None
    return validate(params, str(path))
