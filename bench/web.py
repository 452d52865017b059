"""Benchmark the web app on the demo company: every page and API call of issue #3.

Loads the 1,000-account demo company into a fresh SQLite file, serves it with
``tenure serve`` in a second process, signs in as the executive and as a CSM, and
prints the p50 and worst time of each request over several rounds. Page times are
the server's HTML response (the browser then renders); the aim is under a second.

Run: ``.venv/bin/python bench/web.py [--rounds N]``
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from tenure.db.migrate import upgrade
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.demo import generate, load
from tenure.revenue import service as revenue
from tenure.staff.models import StaffUser

PASSWORD = "bench-password"
REQUESTS = (
    "/",
    "/revenue",
    "/revenue?months=36",
    "/renewals",
    "/customers",
    "/revenue/customers?kind=churn&start=2026-01-01&end=2026-12-31",
    "/api/v1/overview",
    "/api/v1/revenue/mrr?interval=month&start=2024-01-01",
    "/api/v1/revenue/mrr?interval=month&start=2024-01-01&by=owner",
    "/api/v1/revenue/retention?start=2024-01-01",
    "/api/v1/renewals?start=2024-01-01",
    "/api/v1/accounts?page_size=50&sort=mrr&descending=true",
    "/api/v1/accounts?search=科技&page_size=50",
    "/api/v1/accounts/export?format=csv",
    "/api/v1/accounts/export?format=xlsx",
)


def prepare(folder: Path) -> tuple[str, dict[str, str]]:
    """Load the demo company; return its URL and an executive's and a CSM's email."""
    url = f"sqlite:///{(folder / 'bench.sqlite').as_posix()}"
    upgrade(url)
    engine = make_engine(url)
    from tenure.auth.passwords import hash_password

    with transaction(make_session_factory(engine)) as session:
        load(session, generate(seed=42, accounts=1000))
        revenue.rebuild(session)
        hashed = hash_password(PASSWORD)
        users = session.scalars(select(StaffUser).order_by(StaffUser.email)).all()
        for user in users:
            user.password_hash = hashed
        logins = {
            role: next(u.email for u in users if u.role == role)
            for role in ("executive", "csm")
        }
    engine.dispose()
    return url, logins


def serve(url: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``tenure serve`` and wait until it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "TENURE_DATABASE_URL": url,
        "TENURE_SECRET_KEY": "bench",
        "NICEGUI_STORAGE_PATH": str(folder / "storage"),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from tenure.cli.main import app; app()", "serve",
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{base}/login", timeout=2)
            return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("tenure serve did not start")


def main() -> None:
    """Print the time of every page and API request, per role."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, logins = prepare(folder)
        process, base = serve(url, folder)
        try:
            for role, email in logins.items():
                with httpx.Client(base_url=base, timeout=30) as client:
                    client.post(
                        "/api/v1/auth/login",
                        json={"email": email, "password": PASSWORD},
                    ).raise_for_status()
                    print(f"\n{role} ({email})")
                    print(f"{'request':<70} {'p50 ms':>8} {'max ms':>8}")
                    for path in REQUESTS:
                        times = []
                        for _ in range(args.rounds):
                            start = time.perf_counter()
                            response = client.get(path)
                            times.append((time.perf_counter() - start) * 1000)
                            response.raise_for_status()
                        print(
                            f"{path:<70} {statistics.median(times):8.1f} "
                            f"{max(times):8.1f}"
                        )
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
