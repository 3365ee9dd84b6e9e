"""Limit the threads of the BLAS library behind numpy's matmul.

The digit CNN multiplies small matrices. On a 2-core machine shared with other processes,
OpenBLAS's extra threads busy-wait for work and make a single prediction 10-40x slower
(measured: 14 ms instead of 0.4 ms) and a training epoch 2-6x slower. One thread is faster
here. ``limit_blas_threads`` finds the OpenBLAS libraries loaded in this process (as
threadpoolctl does) and calls their ``*_set_num_threads`` function; it is process-wide.
Setting the environment variable ``CONVVIZ_BLAS_THREADS`` changes the count (0 = leave BLAS
alone). Without OpenBLAS (other BLAS, other systems) it does nothing.
"""

from __future__ import annotations

import ctypes
import os
from functools import cache

_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def _openblas_paths() -> list[str]:
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
            return sorted({line.split()[-1] for line in fh if "openblas" in line.lower() and "/" in line})
    except OSError:
        return []


@cache
def limit_blas_threads(n: int | None = None) -> int:
    """Set OpenBLAS to ``n`` threads (default: $CONVVIZ_BLAS_THREADS or 1); returns how many
    libraries were changed. Cached: the work happens once per process and count."""
    import numpy  # noqa: F401 - make sure numpy's BLAS is loaded

    if n is None:
        try:
            n = int(os.environ.get("CONVVIZ_BLAS_THREADS", "1"))
        except ValueError:
            n = 1
    if n <= 0:
        return 0
    changed = 0
    for path in _openblas_paths():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn(ctypes.c_int(n))
                changed += 1
                break
    return changed
