"""One schema for the whole params.yaml, checked at the start of every stage.

A bad value fails the first stage that runs, in one line that names the key, the
value and what is allowed; an unknown key is answered with the nearest valid name.
The pipeline's own sections are described here; each method's block (model.<name>) is
described by the method itself, in its file's SPEC (models/spec.py), in the same words
as the messages ("an integer >= 1"; ``rule`` reads them).
"""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from songspace.errors import SongspaceError
from songspace.models.spec import known_methods, spec

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

_NUMBER = r"-?\d+(?:\.\d+)?"


def rule(text: str) -> Rule:
    """The Rule a SPEC's words describe: "an integer >= 1", "an integer >= 0 <= 9",
    "a number > 0", "a number >= 0 <= 1", "a list of integers >= 1", "true or false",
    "a string", "one of a, b, c"."""
    if match := re.fullmatch(rf"an integer(?: >= ({_NUMBER}))?(?: <= ({_NUMBER}))?", text):
        low, high = (int(v) if v is not None else None for v in match.groups())
        return integer(low, high)
    if match := re.fullmatch(rf"a number(?: (>=|>) ({_NUMBER}))?(?: <= ({_NUMBER}))?", text):
        sign, low, high = match.groups()
        return number(float(low) if low else None, float(high) if high else None,
                      low_open=sign == ">")
    if match := re.fullmatch(r"a list of integers >= (\d+)", text):
        return Rule(text, int_list(int(match.group(1))).check)
    if match := re.fullmatch(r"one of (.+)", text):
        return one_of(*match.group(1).split(", "))
    known = {"true or false": BOOL, "a string": TEXT}
    if text in known:
        return known[text]
    raise SongspaceError(f"a SPEC describes a param as {text!r}; use the words of "
                         "songspace.params.rule, e.g. 'an integer >= 1'")


def method_rules(name: str) -> dict[str, Rule]:
    """The keys a method reads (its block's and also_reads) and their rules."""
    found = spec(name)
    rules = {f"{found.block}.{key}": rule(text) for key, text in found.params.items()}
    rules.update({key: rule(text) for key, text in found.also_reads.items()})
    if not found.params:  # DVC still needs the block its stage declares
        rules[found.block] = Rule("{} (the method has no params)", lambda v: v == {})
    return rules


# The pipeline's own keys. `methods` maps each method the pipeline runs (its name, the file
# src/songspace/models/<name>.py) to the params key its train stage reruns on besides its
# block model.<name>: dvc.yaml makes the method's stages from it (`methods` below).
SCHEMA: dict[str, Rule] = {
    "seed": integer(0),
    "methods": Rule("a mapping of method name to a params key, in report order",
                    lambda v: isinstance(v, dict) and len(v) > 0
                    and all(isinstance(k, str) and isinstance(x, str) for k, x in v.items())),
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
_OPAQUE = {"data.task_sizes", "methods"}


def _flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and path not in _OPAQUE:
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def full_schema() -> dict[str, Rule]:
    """SCHEMA and every known method's keys (a method's block may stay in params.yaml while
    it is out of ``methods``, and is still checked)."""
    schema = dict(SCHEMA)
    for name in known_methods():
        schema.update(method_rules(name))
    return schema


def _nearest(key: str, schema: dict[str, Rule]) -> str:
    close = difflib.get_close_matches(key, schema.keys(), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]}?"
    return f"; valid top-level keys: {', '.join(sorted({k.split('.')[0] for k in schema}))}"


def _required(params: dict, where: str) -> dict[str, Rule]:
    """The keys params.yaml must have: SCHEMA's and those of each method in ``methods``,
    whose entries are checked here (a known method, naming one of its own keys)."""
    required = dict(SCHEMA)
    listed = params.get("methods")
    if not SCHEMA["methods"].check(listed):
        return required  # reported as a bad value of `methods`
    for name, key in listed.items():
        try:
            found = spec(name)
        except SongspaceError as error:
            raise SongspaceError(f"{where}: methods: {error}") from None
        own = (found.block, *found.also_reads)
        if key not in own:
            raise SongspaceError(
                f"{where}: methods.{name} = {key!r} is not allowed; expected one of "
                f"{', '.join(own)} (the params its train stage reruns on besides its block)")
        model = params.get("model")
        if not isinstance(model, dict) or not isinstance(model.get(name), dict):
            raise SongspaceError(f"{where}: missing key {found.block} (the params block of "
                                 f"method {name}; {{}} when it has none)")
        required.update(method_rules(name))
    return required


def validate(params: dict, source: str | None = None) -> dict:
    """Check every key of ``params`` against the schema; raise SongspaceError on the first
    problem. With ``source`` (the file the params came from) named in messages.
    """
    where = source or PARAMS_FILE
    if not isinstance(params, dict):
        raise SongspaceError(f"{where}: expected a mapping of keys, got {type(params).__name__}")
    flat = _flatten(params)
    schema = full_schema()
    blocks = {f"model.{name}" for name in known_methods()}
    for key in flat:
        if key not in schema and not (flat[key] == {} and key in blocks):
            raise SongspaceError(f"{where}: unknown key {key}{_nearest(key, schema)}")
    required = _required(params, where)
    for key, rule in schema.items():
        if key not in flat:
            if key in required:
                raise SongspaceError(f"{where}: missing key {key} (expected {rule.allowed})")
            continue
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
