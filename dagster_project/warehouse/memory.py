"""Handing freed memory back to the operating system between pipeline steps.

One Dagster run executes its steps in one process, and the dbt step starts a second one
(dbt with its own DuckDB). Memory a step freed is not necessarily returned: Arrow's pool
(mimalloc) and glibc's malloc keep freed blocks for reuse, so the run process would still
hold the GX batches and DuckDB results of earlier steps while dbt runs beside it. Called
whenever a warehouse connection closes (`lib/warehouse.py`).
"""

from __future__ import annotations

import ctypes
import ctypes.util

import pyarrow as pa

_libc_name = ctypes.util.find_library("c")
_libc = ctypes.CDLL(_libc_name) if _libc_name else None


def release_unused_memory() -> None:
    # No gc.collect(): frames are freed by reference counting, and a collection of the
    # run process's objects takes 0.3 s (paid on every connection otherwise).
    pa.default_memory_pool().release_unused()
    if _libc is not None and hasattr(_libc, "malloc_trim"):  # glibc only
        _libc.malloc_trim(0)
