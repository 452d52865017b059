"""What the benchmark scripts share: a database to build, a fresh measuring process.

Each script builds its company in one process, then measures in a child started on
the same script with ``--measure``, so that the figures (and the peak memory) are
the measuring process's own. The child prints its figures as JSON on its last line.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def seconds(started: float) -> float:
    """Seconds since ``started`` (a ``time.perf_counter()``), to the millisecond."""
    return round(time.perf_counter() - started, 3)


def peak_rss_mb() -> int:
    """This process's peak resident memory in MB, since it started its program.

    Linux's VmHWM rather than ru_maxrss: a child started by fork and exec keeps
    the ru_maxrss of the parent it was forked from (the one that built the
    company), which would hide its own figure.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    line = next(row for row in status.splitlines() if row.startswith("VmHWM:"))
    return round(int(line.split()[1]) / 1024)


def database(name: str, url: str | None) -> tuple[Path, str]:
    """A fresh folder for the benchmark ``name`` and its database URL.

    ``url`` (the script's ``--url``) wins over the SQLite file in the folder.
    """
    folder = Path(tempfile.mkdtemp(prefix=f"tenure-bench-{name}-"))
    return folder, url or f"sqlite:///{(folder / 'bench.sqlite').as_posix()}"


def measure_apart(script: str, *args: str) -> dict[str, Any]:
    """Run ``script --measure ARGS`` in a fresh process and return its figures."""
    out = subprocess.run(
        [sys.executable, script, "--measure", *args],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


def report(figures: dict[str, Any]) -> None:
    """Print the figures one per line, as ``key: value``."""
    for key, value in figures.items():
        print(f"{key}: {value}")


def answer(figures: dict[str, Any]) -> None:
    """Print the measuring process's figures for ``measure_apart`` to read."""
    print(json.dumps(figures, default=str, ensure_ascii=False))
