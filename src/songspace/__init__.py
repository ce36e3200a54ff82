"""songspace: song representations from the Million Song Dataset."""

from songspace import kernels

# Before anything imports numpy or torch: the same bits on every x86-64 CPU with AVX2.
kernels.pin()
