"""A Conv1d whose input gradient does not depend on the CPU's cache sizes.

On the CPU, torch runs convolutions through oneDNN. Its forward and weight-gradient kernels
(jit:avx2 under songspace.kernels' pins) block by the shapes alone, but the input gradient of
a strided convolution goes to a brgemm kernel that picks its blocking from the CPU's L1 and
L2 sizes, so its sums could come out in another order on another CPU. Here that one gradient
runs through torch's own convolution (im2col and MKL, pinned to one path); the rest stays
on oneDNN. It costs about 1.7 ms a step for the ConvVAE's second layer (0.6 ms on oneDNN),
where turning oneDNN off for the whole backward pass cost twice that.
"""

import torch
from torch import Tensor, nn
from torch.nn import functional as F


def _convolution_backward(grad: Tensor, x: Tensor, weight: Tensor, stride: int, padding: int,
                          mask: list[bool]) -> tuple[Tensor | None, ...]:
    return torch.ops.aten.convolution_backward(grad, x, weight, [weight.shape[0]], [stride],
                                               [padding], [1], False, [0], 1, mask)


class _PortableConv1dFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor, stride: int,
                padding: int) -> Tensor:
        ctx.save_for_backward(x, weight)
        ctx.stride, ctx.padding = stride, padding
        return F.conv1d(x, weight, bias, stride, padding)

    @staticmethod
    def backward(ctx, grad: Tensor):
        x, weight = ctx.saved_tensors
        need_x, need_weight, need_bias = ctx.needs_input_grad[:3]
        grad = grad.contiguous()
        _, grad_weight, grad_bias = _convolution_backward(
            grad, x, weight, ctx.stride, ctx.padding, [False, need_weight, need_bias])
        grad_x = None
        if need_x:
            enabled = torch.backends.mkldnn.enabled
            torch.backends.mkldnn.enabled = False  # torch's own im2col convolution
            try:
                grad_x = _convolution_backward(grad, x, weight, ctx.stride, ctx.padding,
                                               [True, False, False])[0]
            finally:
                torch.backends.mkldnn.enabled = enabled
        return grad_x, grad_weight, grad_bias, None, None


class PortableConv1d(nn.Conv1d):
    """nn.Conv1d (same parameters and initialisation) with a CPU-independent input
    gradient; only integer stride and padding, no dilation or groups."""

    def forward(self, x: Tensor) -> Tensor:
        return _PortableConv1dFunction.apply(x, self.weight, self.bias, self.stride[0],
                                             self.padding[0])
