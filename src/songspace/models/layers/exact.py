"""Square roots fixed by IEEE arithmetic, whatever x86-64 CPU computes them (issue 28).

torch.sqrt on the CPU (and what calls it: ``pow(0.5)``, ``cdist``) does not return the
correctly rounded root: its vectorised path starts
from the approximate RSQRTPS/RCPPS instructions, whose results differ between Intel and
AMD chips, so about one float32 root in six differed from the IEEE one on an AMD EPYC and
came out otherwise on an emulated Intel CPU. numpy's ``np.sqrt`` compiles to the SQRTPS
and SQRTPD instructions, which IEEE 754 makes correctly rounded on every chip. ``sqrt``
below takes its root from numpy on the CPU and keeps torch's gradient formula,
grad / (2 sqrt(x)), a division (IEEE too). On a GPU it is torch.sqrt (CUDA's is
correctly rounded; a GPU's bits are not promised anyway).
"""

import numpy as np
import torch
from torch import Tensor


class _Sqrt(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        if x.device.type == "cpu":
            with np.errstate(invalid="ignore"):  # a negative value gives nan, as in torch
                root = torch.from_numpy(np.sqrt(x.detach().numpy()))
        else:
            root = torch.sqrt(x)
        ctx.save_for_backward(root)
        return root

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (root,) = ctx.saved_tensors
        return grad / (2 * root)  # torch.sqrt's own backward formula


def sqrt(x: Tensor) -> Tensor:
    """The correctly rounded square root of each element (float32 or float64), with its
    gradient: the same bits on every x86-64 CPU, unlike torch.sqrt."""
    return _Sqrt.apply(x)
