"""Benchmark delivering the daily briefing: claims, in-app notices and email.

Builds the briefing benchmark's company (bench/briefing.py: 100,000 customers, 50
CSMs in five teams under their managers, an executive, tasks and a week of health)
by import. In a fresh process it subscribes every staff user (email and in-app),
points the smtp_* settings at a local aiosmtpd server started here, and times:

* the first tick at 08:31 local, which claims every briefing and delivers both of
  its channels (claims/s, deliveries/s), with the time spent building briefings
  and talking SMTP inside it;
* a second tick a minute later that finds nothing to do;
* the next morning's tick, when the mail server answers 451 once to every
  message (the emails wait for their retry), and the retry tick after the
  backoff, which sends them.

The figures are printed, nothing is asserted.

Run: ``.venv/bin/python bench/delivery.py [--customers N] [--url URL]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import socket
import sys
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.settings.service import set_value

sys.path.insert(0, str(Path(__file__).parent))
from briefing import add_tasks_and_health
from harness import answer, database, measure_apart, peak_rss_mb, report, seconds
from operations import build_staffed_company

ZONE = "Asia/Shanghai"
TICK = dt.time(8, 31)  # a minute after the default briefing_time, 08:30


class Mailbox:
    """An aiosmtpd handler that takes mail, or refuses each message once."""

    def __init__(self) -> None:
        self.received = 0
        self.refused = 0
        self.refuse_once = False
        self._seen: set[tuple[str, ...]] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Answer 451 the first time a message is seen while refusing, else 250."""
        headers = BytesHeaderParser().parsebytes(envelope.content)
        key = (*envelope.rcpt_tos, str(headers["Subject"]))
        if self.refuse_once and key not in self._seen:
            self._seen.add(key)
            self.refused += 1
            return "451 4.3.0 Try again later"
        self.received += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Stopwatch:
    """Wraps a function of a module and adds up the time spent in it."""

    def __init__(self, module: Any, name: str) -> None:
        self.seconds = 0.0
        self.calls = 0
        inner: Callable[..., Any] = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        setattr(module, name, timed)

    def take(self) -> tuple[float, int]:
        """The seconds and calls counted since the last take, then start again."""
        found = (round(self.seconds, 3), self.calls)
        self.seconds, self.calls = 0.0, 0
        return found


def _subscribe_everyone(factory: Any, port: int) -> int:
    """Subscribe every staff user since yesterday; send email to 127.0.0.1:port."""
    from tenure.briefing.models import BriefingPreference
    from tenure.briefing.preferences import subscribe
    from tenure.staff.models import StaffUser

    with transaction(factory) as session:
        for key, value in (
            ("smtp_host", "127.0.0.1"),
            ("smtp_port", str(port)),
            ("smtp_security", "none"),
            ("smtp_from", "Tenure <briefing@bench.example>"),
        ):
            set_value(session, key, value)
        users = list(session.scalars(select(StaffUser.id)))
        for user_id in users:
            subscribe(session, user_id)
        # A subscription gets no briefing for a slot before it began: start it a
        # day early so that this morning's slot is due.
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        session.execute(update(BriefingPreference).values(subscribed_at=since))
    return len(users)


def _tick(
    factory: Any, now: dt.datetime, label: str, watches: dict[str, Stopwatch]
) -> dict[str, object]:
    """Claim, then deliver, what is due at ``now``; time each half."""
    from tenure.briefing.delivery import claim_due, deliver_due

    started = time.perf_counter()
    claimed = claim_due(factory, now)
    claim_seconds = seconds(started)
    started = time.perf_counter()
    outcomes = deliver_due(factory, now)
    deliver_seconds = seconds(started)
    figures: dict[str, object] = {
        f"{label}_seconds": round(claim_seconds + deliver_seconds, 3),
        f"{label}_claimed": len(claimed.claimed),
        f"{label}_claim_errors": claimed.errors,
        f"{label}_claim_seconds": claim_seconds,
        f"{label}_deliveries": dict(
            sorted(Counter(f"{o.channel}:{o.status}" for o in outcomes).items())
        ),
        f"{label}_deliver_seconds": deliver_seconds,
    }
    if claimed.claimed:
        figures[f"{label}_claims_per_second"] = round(
            len(claimed.claimed) / max(claim_seconds, 1e-9), 1
        )
    if outcomes:
        figures[f"{label}_deliveries_per_second"] = round(
            len(outcomes) / max(deliver_seconds, 1e-9), 1
        )
    for name, watch in watches.items():
        spent, calls = watch.take()
        if calls:
            figures[f"{label}_{name}_seconds_calls"] = [spent, calls]
    return figures


def measure(url: str) -> dict[str, object]:
    """Subscribe everyone, then time the ticks of two mornings; return figures."""
    from aiosmtpd.controller import Controller

    from tenure.briefing import delivery, sending
    from tenure.revenue.loading import today

    engine = make_engine(url)
    factory = make_session_factory(engine)
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    watches = {
        "build": Stopwatch(delivery, "build_briefing"),
        "smtp": Stopwatch(sending, "send_email"),
    }
    figures: dict[str, object] = {}
    try:
        figures["subscribers"] = _subscribe_everyone(factory, port)
        with factory() as session:
            day = today(session)
        zone = zoneinfo.ZoneInfo(ZONE)
        first = dt.datetime.combine(day, TICK, tzinfo=zone).astimezone(dt.UTC)
        figures |= _tick(factory, first, "first", watches)
        figures |= _tick(factory, first + dt.timedelta(minutes=1), "second", watches)
        mailbox.refuse_once = True
        morning = first + dt.timedelta(days=1)
        figures |= _tick(factory, morning, "refused", watches)
        retry = morning + dt.timedelta(minutes=1, seconds=1)
        figures |= _tick(factory, retry, "retry", watches)
        figures["smtp_received"] = mailbox.received
        figures["smtp_refused"] = mailbox.refused
    finally:
        controller.stop()
        engine.dispose()
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


def main() -> None:
    """Build the company and its staff, then measure in a fresh process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        answer(measure(args.measure))
        return
    _folder, url = database("delivery", args.url)
    started = time.perf_counter()
    build_staffed_company(url, args.customers, ZONE)
    counts = add_tasks_and_health(url, seed=7)
    print(f"company of {args.customers:,} built in {seconds(started):.1f}s: {counts}")
    started = time.perf_counter()
    report(measure_apart(__file__, url))
    print(f"measured in {seconds(started):.1f}s")


if __name__ == "__main__":
    main()
