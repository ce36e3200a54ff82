"""Pin the CPU math kernels, so every x86-64 CPU with AVX2 computes the same bits.

torch, MKL, oneDNN, OpenBLAS, numpy and faiss each pick vectorised code for the CPU at
hand: AVX-512 where the CPU has it, and MKL a path of its own for Intel and for AMD. Each
path rounds and sums in its own order, so on another CPU training took another path from
the first step on (issue 20: the Beta-VAE's NMI 0.174 on an Intel Xeon, 0.119 on an AMD
EPYC). Each library reads its setting when it loads or first computes, so ``pin()`` runs in
``songspace/__init__.py``, before any of them loads: a stage imports songspace first
(pyproject.toml's isort order puts it there). It sets the AVX2 paths that every such CPU
has, and MKL's one path that Intel and AMD share. SONGSPACE_NATIVE_KERNELS=1 turns it off
(faster on some CPUs, and the bits then follow the CPU).

Pinning chooses among paths; it cannot fix an instruction whose result is not fixed by the
instruction set. The approximate reciprocals RCPPS and RSQRTPS (and their AVX forms) return
other bits on Intel and AMD chips, and on one chip every forced path gives that chip's
answer (issue 28). torch.sqrt on the CPU (float32 and float64), ``Tensor.pow(0.5)`` and
``torch.cdist`` follow them: a sixth of float32 roots are not the correctly rounded ones.
Models use ``songspace.models.layers.exact.sqrt`` (numpy's IEEE root, torch's gradient) instead.

The audit, each operation natively and under QEMU emulating an Intel Haswell and an AMD
EPYC-Rome, at the versions pyproject.toml pins (``python tools/emulated_ops.py``):
- differ, never use on the CPU: torch.sqrt, Tensor.pow(0.5), torch.cdist;
- the same bits: exact.sqrt; torch's add, mul, div, pow(2), exp, log, tanh, sigmoid,
  softplus, clamp, relu, sum, mean, std, norm, rsqrt, F.normalize, log_softmax, layer_norm,
  randn, randperm, nn.Linear, PortableConv1d (forward and backward) and fused Adam; numpy's
  sqrt, power, exp, log, mean, std, var, linalg.norm, matmul and Generator; scipy.stats'
  skew and kurtosis, scipy.signal.lfilter; scikit-learn's PCA, TruncatedSVD, K-Means,
  silhouette and k-NN probe; openTSNE; the exact and faiss HNSW searches, faiss.normalize_L2.
A model or stage that computes with an operation not listed: add it to OPERATIONS in
tools/emulated_ops.py and run that command (about a minute; it exits 1 when an operation
differs that is not known to). tests/test_emulated_cpu.py checks the stages' own bytes.

Processes started from a pinned one inherit the settings. For others, such as Dask workers
on other hosts, ``python -m songspace.kernels COMMAND...`` runs COMMAND pinned.
"""

import os
import platform
import sys

# Setting -> value. Each replaces what the environment had: a user's MKL_CBWR would
# otherwise change the bits again.
PINNED = {
    # torch's own vectorised kernels (elementwise, reductions, fused Adam, sleef's exp)
    "ATEN_CPU_CAPABILITY": "avx2",
    # MKL's BLAS under torch's linear layers: AVX2 and the others are Intel-only branches
    # (AMD CPUs fall back to MKL's automatic choice); COMPATIBLE is the same everywhere
    "MKL_CBWR": "COMPATIBLE",
    # oneDNN's JIT convolutions (the ConvVAE)
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    # OpenBLAS under numpy, scipy and scikit-learn (K-Means, distances, PCA)
    "OPENBLAS_CORETYPE": "Haswell",
    # numpy's own AVX-512 loops (they moved extract_features' skewness by an ulp); the
    # names are numpy 2.4's
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    # faiss's distance kernels (the HNSW index above retrieval.exact_max)
    "FAISS_SIMD_LEVEL": "AVX2",
}
# Libraries that read a pinned setting when they load: imported before pin(), they kept
# the CPU's own choice.
PINNED_LIBRARIES = ("numpy", "torch", "scipy", "sklearn", "faiss")

loaded_too_early: list[str] = []  # what was already imported when pin() ran
skipped_because = ""  # why nothing was pinned, if so


def cpu_has_avx2() -> bool:
    """AVX2 and FMA, read from /proc/cpuinfo without loading numpy (Linux only)."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return {"avx2", "fma"} <= flags
    except OSError:
        pass
    return False


def pin() -> None:
    """Set PINNED in os.environ (inherited by every worker process this one starts)."""
    global skipped_because
    if os.environ.get("SONGSPACE_NATIVE_KERNELS") == "1":
        skipped_because = "SONGSPACE_NATIVE_KERNELS=1"
    elif platform.machine().lower() not in ("x86_64", "amd64"):
        skipped_because = f"not an x86-64 CPU ({platform.machine()})"
    elif not cpu_has_avx2():
        skipped_because = "the CPU has no AVX2 (or this is not Linux)"
    if skipped_because:
        return
    inherited = all(os.environ.get(key) == value for key, value in PINNED.items())
    if not inherited:
        loaded_too_early[:] = [name for name in PINNED_LIBRARIES if name in sys.modules]
    os.environ.update(PINNED)


def late_import_error(who: str, remedy: str = "import songspace first") -> str | None:
    """A one-line explanation when a pinned library loaded before songspace, else None."""
    if not loaded_too_early:
        return None
    return (f"{who} imported {', '.join(loaded_too_early)} before songspace, so their CPU "
            f"kernels are not pinned and results would depend on this CPU; {remedy} "
            "(see songspace/kernels.py)")


if __name__ == "__main__":  # python -m songspace.kernels COMMAND...: COMMAND, pinned
    if len(sys.argv) < 2:
        sys.exit("usage: python -m songspace.kernels COMMAND [ARGS...]")
    os.execvp(sys.argv[1], sys.argv[1:])
