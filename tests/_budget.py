"""Run one engine call in a fresh interpreter with a memory cap and measure what it cost.

The budget of issue 12: one summary in under 2 s of CPU and 500 MB. The child measures CPU
time (user + system, so a busy machine does not make it fail) and the growth of its peak
resident memory around the call; the address space is capped (``RLIMIT_AS``) so a
regression fails the test instead of eating the shared machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CPU_SECONDS = 2.0
MEMORY_MB = 500
ADDRESS_SPACE_MB = 3000

_CHILD = r"""
import json, resource, sys, time
kind, payload, cap = sys.argv[1], json.loads(sys.stdin.read()), int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (cap * 2**20, cap * 2**20))
import convviz
from convviz.errors import SpecError


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def call():
    if kind == "summarize":
        return convviz.summarize(payload)
    if kind == "load_image":
        from convviz.images import load_image
        with open(payload["file"], "rb") as fh:
            data = fh.read()
        return load_image(data, **payload.get("options", {}))
    raise SystemExit(f"unknown kind {kind}")


before_mem = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = cpu()
try:
    call()
    outcome = "returned"
except SpecError as exc:
    outcome = "SpecError: " + str(exc)
except ValueError as exc:
    outcome = type(exc).__name__ + ": " + str(exc)
seconds = cpu() - start
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_mem) / 1024
print(json.dumps({"outcome": outcome, "cpu_seconds": seconds, "memory_mb": grown}))
"""


def run_budgeted(kind: str, payload: Any, cpu_seconds: float = CPU_SECONDS,
                 memory_mb: float = MEMORY_MB, timeout: float = 60) -> dict[str, Any]:
    """Run ``kind`` ("summarize" or "load_image") on ``payload`` in a subprocess; the report
    says what happened, the CPU seconds and MB it took, and ``ok`` (within the budget)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(ADDRESS_SPACE_MB)], input=json.dumps(payload),
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env,
    )
    if proc.returncode != 0:
        return {"ok": False, "returncode": proc.returncode, "stderr": proc.stderr[-2000:]}
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    report["ok"] = report["cpu_seconds"] < cpu_seconds and report["memory_mb"] < memory_mb
    return report
