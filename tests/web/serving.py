"""Run a real ``tenure serve`` in a child process for the tests that need one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def tenure_serve(
    settings: dict[str, str], log_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Serve with ``settings`` added to the environment; yield the process and URL.

    pytest's own variables are left out, so that NiceGUI runs as in production. The
    server's output goes to ``log_path``; it is stopped on leaving, unless the test
    already stopped (or killed) it.
    """
    port = free_port()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", "from tenure.cli.main import app; app()",
         "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**inherited, **settings}, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"tenure serve exited: {log_path.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        "tenure serve did not start within 60 s"
                    ) from None
                time.sleep(0.2)
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
