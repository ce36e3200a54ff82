"""songspace.models.layers.exact.sqrt: the correctly rounded root and torch's gradient."""

from songspace.models.layers import exact

import numpy as np
import pytest
import torch


def values(dtype) -> np.ndarray:
    """About 100,000 roots to check: random magnitudes over the whole range, and the edges."""
    info = np.finfo(dtype)
    rng = np.random.default_rng(0)
    spread = rng.random(100_000) * np.log2(float(info.max)) * 2 - np.log2(float(info.max))
    edges = [0.0, -0.0, float(info.smallest_subnormal), float(info.smallest_normal),
             float(info.smallest_normal) * 0.75, float(info.max), 1.0, 2.0, 4.0, 1e-6, np.inf]
    return np.concatenate([np.exp2(spread), edges]).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_root_is_numpys_correctly_rounded_one(dtype):
    x = values(dtype)
    assert exact.sqrt(torch.from_numpy(x)).numpy().tobytes() == np.sqrt(x).tobytes()


def test_a_negative_value_gives_nan_as_torch_does():
    assert torch.isnan(exact.sqrt(torch.tensor([-1.0])))[0]


def test_the_gradient_is_one_over_twice_the_root():
    x = torch.tensor([0.25, 1.0, 4.0, 9.0], dtype=torch.float64, requires_grad=True)
    exact.sqrt(x).sum().backward()
    assert torch.equal(x.grad, 1 / (2 * torch.sqrt(x.detach())))
    assert torch.autograd.gradcheck(exact.sqrt, (x,))


def test_it_works_on_strided_views_and_under_no_grad():
    x = torch.rand(6, 4) + 0.5
    with torch.no_grad():
        root = exact.sqrt(x.t())
    assert root.shape == (4, 6)
    assert np.array_equal(root.numpy(), np.sqrt(x.t().numpy()))
