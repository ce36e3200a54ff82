"""What a method is, declared once, in its own file: src/songspace/models/<name>.py holds the
model's class and, beside it, ``SPEC = MethodSpec(...)``.

The spec is read from the file's source, not by importing it: every stage and the params
check need the specs, and importing a neural model's file imports torch (seconds). So a
SPEC's arguments are plain literals (strings, numbers, booleans, dicts), which
``ast.literal_eval`` reads exactly as Python would.

params.yaml's ``methods`` lists the methods the pipeline runs; dvc.yaml makes each one's
stages from that list, and everything else (the train stage, the evaluation, the report,
`songspace embed`) learns what a method is from its spec.
"""

import ast
import difflib
import functools
from dataclasses import dataclass, field
from pathlib import Path

from songspace.errors import SongspaceError

MODELS_DIR = Path(__file__).resolve().parent

# What a method reads (its train stage's inputs, and `songspace embed`'s for a new song).
STATISTICS = "statistics"  # the z-scored 144 moments, (N, 144)
SEQUENCES = "sequences"  # the z-scored (N, 24, L) segment sequences and their true lengths
STATISTICS_AND_TFIDF = "statistics+tfidf"  # both of these, the TF-IDF (N, vocabulary) second
TFIDF = "tfidf"  # the artist-term TF-IDF alone
READS = (STATISTICS, SEQUENCES, STATISTICS_AND_TFIDF, TFIDF)


@dataclass(frozen=True)
class MethodSpec:
    """One method: where it lives, what it reads, how it trains, which params it reads.

    name: its file's name, its stages' item (train@<name>), models/<name>/ and
        data/latents/<name>/.
    title: its name in tables, titles and pictures.
    model: the class in its file that trains it.
    reads: one of READS.
    per_seed: true for a neural model, trained once per train.seeds entry (a SongModel:
        ``from_params(params, shapes)``); false for a deterministic one, fitted once
        (a FittedMethod: ``fit(params, arrays)``), whose spread is clustering alone.
    params: its block in params.yaml, model.<name>: each key and the values it allows, in
        the words of the params check ("an integer >= 1"; see songspace.params.rule).
    also_reads: params outside its block that it reads, with their rules (the Beta-VAE's
        model.beta); params.yaml's ``methods`` names the one its stage reruns on.
    """

    name: str
    title: str
    model: str
    reads: str
    per_seed: bool
    params: dict[str, str] = field(default_factory=dict)
    also_reads: dict[str, str] = field(default_factory=dict)

    @property
    def block(self) -> str:
        return f"model.{self.name}"

    @property
    def reads_text(self) -> bool:
        return self.reads in (STATISTICS_AND_TFIDF, TFIDF)


def known_methods() -> list[str]:
    """Every method that has a file with a SPEC, in name order."""
    return sorted(path.stem for path in MODELS_DIR.glob("*.py")
                  if "\nSPEC = MethodSpec(" in path.read_text(encoding="utf-8"))


@functools.cache
def spec(name: str) -> MethodSpec:
    """The spec in src/songspace/models/<name>.py; one line naming the known methods if
    there is none."""
    path = MODELS_DIR / f"{name}.py"
    if not name.isidentifier() or not path.exists():
        known = known_methods()
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise SongspaceError(f"unknown method {name!r}: no src/songspace/models/{name}.py; "
                             f"{hint}known: {', '.join(known)}")
    found = _read_spec(path)
    if found.name != name:
        raise SongspaceError(f"{path}: SPEC names {found.name!r}; a method's name is its "
                             f"file's, {name!r}")
    return found


def _read_spec(path: Path) -> MethodSpec:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "SPEC"
                and isinstance(node.value, ast.Call)):
            call = node.value
            if call.args or any(keyword.arg is None for keyword in call.keywords):
                break
            try:
                values = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}
                found = MethodSpec(**values)
            except (ValueError, TypeError) as error:
                raise SongspaceError(f"{path}:{node.lineno}: SPEC = MethodSpec(...) takes "
                                     f"keyword arguments of plain literals ({error})") from None
            if found.reads not in READS:
                raise SongspaceError(f"{path}: SPEC reads {found.reads!r}; expected one of "
                                     f"{', '.join(READS)}")
            return found
    raise SongspaceError(f"{path}: no `SPEC = MethodSpec(name=..., ...)` with keyword "
                         "arguments at the top level; see src/songspace/models/spec.py")


def listed(params: dict) -> list[str]:
    """The methods the pipeline runs, in report order (params.yaml's ``methods``)."""
    return list(params["methods"])


def method_from_args(args: list[str], params: dict) -> str:
    """The method a per-method stage was called for (``python stages/x.py <method>``): one
    of params.yaml's ``methods``."""
    names = listed(params)
    if len(args) != 1 or args[0] not in names:
        raise SongspaceError(f"expected one method argument, one of params.yaml's methods "
                             f"({', '.join(names)}); got {' '.join(args) or 'none'}")
    return args[0]
