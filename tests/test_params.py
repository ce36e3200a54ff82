"""One schema for params.yaml: every bad value is refused in one line at the first stage."""

import copy
import subprocess
import sys

from songspace.errors import SongspaceError
from songspace.params import load_params, validate

import pytest
import yaml

from conftest import ROOT, env

DEFAULTS = yaml.safe_load((ROOT / "params.yaml").read_text())


def with_value(dotted: str, value) -> dict:
    params = copy.deepcopy(DEFAULTS)
    *parents, leaf = dotted.split(".")
    node = params
    for key in parents:
        node = node[key]
    node[leaf] = value
    return params


def test_defaults_are_valid():
    validate(copy.deepcopy(DEFAULTS))


@pytest.mark.parametrize(("key", "value", "allowed"), [
    ("model.beta", 0, "a number > 0"),
    ("model.beta", "two", "a number > 0"),
    ("cluster.k", 1, "an integer >= 2"),
    ("features.seq_len", 0, "an integer >= 1"),
    ("data.task", "huge", "one of easy, medium, hard, all"),
    ("features.engine", "spark", "one of local, dask"),
    ("train.seeds", [], "a list of at least 1 distinct integers >= 0"),
    ("train.seeds", [0, 0, 1], "a list of at least 1 distinct integers >= 0"),
    ("train.val_fraction", 1.5, "a number > 0 and < 1"),
    ("model.hybrid_vae.mask_genre_terms", "yes", "true or false"),
    ("data.max_bad_fraction", -0.1, "a number >= 0 <= 1"),
])
def test_bad_value_names_key_value_and_what_is_allowed(key, value, allowed):
    with pytest.raises(SongspaceError) as error:
        validate(with_value(key, value))
    message = str(error.value)
    assert key in message and repr(value) in message and allowed in message
    assert "\n" not in message


def test_a_repeated_training_seed_is_refused_but_repeated_layer_widths_are_not():
    with pytest.raises(SongspaceError) as error:
        validate(with_value("train.seeds", [0, 0, 1]))
    assert str(error.value) == ("params.yaml: train.seeds = [0, 0, 1] is not allowed; "
                                "expected a list of at least 1 distinct integers >= 0")
    validate(with_value("model.ae.hidden", [64, 64]))


def test_unknown_key_suggests_nearest():
    params = copy.deepcopy(DEFAULTS)
    params["model"]["bta"] = 2
    with pytest.raises(SongspaceError, match=r"unknown key model\.bta; did you mean model\.beta\?"):
        validate(params)


def test_missing_key_is_named():
    params = copy.deepcopy(DEFAULTS)
    del params["cluster"]["k"]
    with pytest.raises(SongspaceError, match=r"missing key cluster\.k"):
        validate(params)


def test_broken_yaml_is_one_line(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("seed: [1,\n")
    with pytest.raises(SongspaceError, match="not valid YAML"):
        load_params(path)


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("model.bta", 2, "unknown key model.bta; did you mean model.beta?"),
    ("cluster.k", 1, "cluster.k = 1 is not allowed; expected an integer >= 2"),
    ("data.source", "/no/such/place", "data.source = '/no/such/place' does not exist"),
])
def test_stage_refuses_bad_params_in_one_line_without_traceback(tmp_path, key, value, expected):
    params = with_value(key, value) if key != "model.bta" else copy.deepcopy(DEFAULTS)
    if key == "model.bta":
        params["model"]["bta"] = value
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    result = subprocess.run([sys.executable, str(ROOT / "stages" / "subset.py")], cwd=tmp_path,
                            env=env(), capture_output=True, text=True)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]
    assert "Traceback" not in result.stderr


# --- a method's block is described by the method's own file (issue 29) --------------------

def test_a_models_block_is_checked_against_its_spec():
    params = copy.deepcopy(DEFAULTS)
    params["model"]["conv_vae"]["chanels"] = [8]
    with pytest.raises(SongspaceError, match=r"unknown key model\.conv_vae\.chanels; did you "
                                             r"mean model\.conv_vae\.channels\?"):
        validate(params)
    with pytest.raises(SongspaceError, match=r"model\.conv_vae\.channels = \[0\] is not "
                                             r"allowed; expected a list of integers >= 1"):
        validate(with_value("model.conv_vae.channels", [0]))
    params = copy.deepcopy(DEFAULTS)
    del params["model"]["pca"]["n_components"]
    with pytest.raises(SongspaceError, match=r"missing key model\.pca\.n_components"):
        validate(params)


def test_the_methods_list_names_known_methods_and_their_own_keys():
    params = copy.deepcopy(DEFAULTS)
    params["methods"]["beta_vea"] = "model.beta_vea"
    with pytest.raises(SongspaceError, match=r"methods: unknown method 'beta_vea': no "
                                             r"src/songspace/models/beta_vea\.py; did you mean "
                                             r"beta_vae\?"):
        validate(params)
    with pytest.raises(SongspaceError, match=r"methods\.ae = 'model\.beta' is not allowed; "
                                             r"expected one of model\.ae"):
        validate(with_value("methods.ae", "model.beta"))
    params = copy.deepcopy(DEFAULTS)
    del params["model"]["raw"]
    with pytest.raises(SongspaceError, match=r"missing key model\.raw \(the params block of "
                                             r"method raw; \{\} when it has none\)"):
        validate(params)


def test_a_method_left_out_of_the_list_keeps_its_block_checked():
    params = copy.deepcopy(DEFAULTS)
    del params["methods"]["conv_vae"]
    validate(params)
    params["model"]["conv_vae"]["beta"] = -1
    with pytest.raises(SongspaceError, match=r"model\.conv_vae\.beta = -1"):
        validate(params)
