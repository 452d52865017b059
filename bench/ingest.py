"""Benchmark usage ingestion over HTTP: events per second, ack latency, server RSS.

Starts ``tenure serve`` on a fresh SQLite file and event store, creates a source,
then drives ``POST /v1/batch`` from this second process over loopback with several
keep-alive connections, each sending batches of tracked events (bodies encoded
before the clock starts). Every request is answered only once its events are
fsynced to the journal, so the latency printed is the time to a durable ack. At the
end it checks that DuckDB holds every acknowledged event. The aim is 100,000 events
per second on a 2-core machine.

Run: ``.venv/bin/python bench/ingest.py [--seconds 20] [--connections 6]``
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from tenure.db.migrate import upgrade
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.usage.service import create_source

EVENTS = ("Signed In", "Report Viewed", "Dashboard Created", "Export Downloaded")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bodies(count: int, batch: int, connection: int) -> list[bytes]:
    """Distinct batch bodies of realistic track calls (about 250 bytes each)."""
    bodies = []
    for number in range(count):
        messages = [
            {
                "type": "track",
                "messageId": f"c{connection}-b{number}-{i}",
                "userId": f"user-{(number * batch + i) % 5000}",
                "event": EVENTS[i % len(EVENTS)],
                "timestamp": "2026-12-01T08:00:00.000Z",
                "properties": {"plan": "Business", "seats": i % 40},
                "context": {"groupId": f"ACC-{(number * batch + i) % 1000:05d}"},
            }
            for i in range(batch)
        ]
        bodies.append(json.dumps({"batch": messages}).encode())
    return bodies


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Worker(threading.Thread):
    """One keep-alive connection sending its bodies until the deadline."""

    def __init__(self, port: int, auth: str, bodies: list[bytes], until: float):
        super().__init__(daemon=True)
        self.port, self.auth, self.bodies, self.until = port, auth, bodies, until
        self.latencies: list[float] = []
        self.events = 0
        self.errors = 0

    def run(self) -> None:
        """Send batches in a loop, recording each acknowledgement's latency."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": self.auth, "Content-Type": "application/json"}
        index = 0
        while time.monotonic() < self.until and index < len(self.bodies):
            body = self.bodies[index]
            index += 1
            started = time.perf_counter()
            connection.request("POST", "/v1/batch", body=body, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
            self.latencies.append(time.perf_counter() - started)
            if answer.status == 200:
                self.events += json.loads(payload)["accepted"]
            else:
                self.errors += 1
        connection.close()


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=6)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tenure-bench-ingest-"))
    url = f"sqlite:///{(folder / 'bench.sqlite').as_posix()}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        key, _ = create_source(session, "bench")
    engine.dispose()
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    # Enough distinct bodies for the run at up to ~150k events/s.
    per_connection = int(150_000 * args.seconds / args.batch / args.connections) + 1
    print(f"encoding {per_connection * args.connections} batches of {args.batch}")
    bodies = [_bodies(per_connection, args.batch, c) for c in range(args.connections)]
    port = _free_port()
    env = {
        **os.environ,
        "TENURE_DATABASE_URL": url,
        "TENURE_EVENTS_PATH": str(folder / "events.duckdb"),
        "NICEGUI_STORAGE_PATH": str(folder / "storage"),
        "TENURE_SECRET_KEY": "bench",
    }
    server = subprocess.Popen(
        [sys.executable, "-c", "from tenure.cli.main import app; app()", "serve",
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=(folder / "server.log").open("w"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("tenure serve did not start") from None
                time.sleep(0.2)
        idle_rss = _rss_mb(server.pid)
        if os.environ.get("BENCH_PROFILE"):
            subprocess.Popen(
                ["py-spy", "record", "-p", str(server.pid), "-d", "8", "-f", "raw",
                 "-o", os.environ["BENCH_PROFILE"]]
            )  # fmt: skip
        started = time.monotonic()
        workers = [
            Worker(port, auth, bodies[c], started + args.seconds)
            for c in range(args.connections)
        ]
        peak = idle_rss
        for worker in workers:
            worker.start()
        while any(worker.is_alive() for worker in workers):
            peak = max(peak, _rss_mb(server.pid))
            time.sleep(0.25)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    events = sum(w.events for w in workers)
    latencies = sorted(x for w in workers for x in w.latencies)
    errors = sum(w.errors for w in workers)
    stored = duckdb.connect(str(folder / "events.duckdb"), read_only=True)
    row = stored.execute("SELECT count(*) FROM events").fetchone()
    stored.close()
    print(
        f"ingested {events:,} events in {len(latencies):,} batches of {args.batch} "
        f"over {args.connections} connections in {elapsed:.1f}s"
    )
    print(f"throughput: {events / elapsed:,.0f} events/s (aim 100,000)")
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"ack latency per batch: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"server RSS: idle {idle_rss:.0f} MB, peak {peak:.0f} MB; errors {errors}")
    print(
        f"stored in DuckDB after shutdown: {row[0] if row else 0:,} (acked {events:,})"
    )


if __name__ == "__main__":
    main()
