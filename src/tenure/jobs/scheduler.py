"""Run the jobs in the background of the serving process, the embedded default.

Every tick (a minute by default) rolls up the usage that arrived since the last
tick, then runs each daily job whose period, today in the configured time zone, has
not yet succeeded. A failed job is logged and recorded, and tried again at the next
tick; the scheduler itself never stops on a job's error. Last, each tick claims and
sends the daily briefings that are due (``tenure.briefing.delivery``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from tenure.briefing.delivery import run_briefings
from tenure.db.base import utcnow
from tenure.jobs.service import JobContext, jobs, run_due, run_job
from tenure.revenue.loading import today
from tenure.usage.store import EventStore

log = logging.getLogger(__name__)

# Jobs that run at every tick; every other registered job runs once a day.
EVERY_TICK = ("rollup",)


class Scheduler:
    """A daemon thread that runs the registered jobs on their schedule."""

    def __init__(
        self,
        factory: Callable[[], sessionmaker[Session]],
        store: Callable[[], EventStore | None],
        interval: float = 60.0,
    ) -> None:
        self._factory = factory
        self._store = store
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="jobs", daemon=True)

    def start(self) -> None:
        """Start ticking."""
        self._thread.start()
        log.info("job scheduler started (every %.0fs)", self.interval)

    def stop(self) -> None:
        """Stop after the job under way, if any."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.interval)

    def tick(self) -> None:
        """Run what is due now."""
        try:
            factory = self._factory()
            with factory() as session:
                day = today(session)
        except Exception:
            log.exception("job scheduler: the database is not reachable; next tick")
            return
        context = JobContext(factory, self._store(), day)
        # The rollup first, so that the day's scoring sees the latest usage.
        order = sorted(jobs().items(), key=lambda item: (item[0] not in EVERY_TICK,))
        for name, job in order:
            if job.needs_store and context.store is None:
                continue
            try:
                if name in EVERY_TICK:
                    run_job(context, name, day.isoformat())
                else:
                    run_due(context, name, day.isoformat())
            except Exception:
                log.warning("job %s for %s failed; tried again next tick", name, day)
        try:
            run_briefings(factory, utcnow())
        except Exception:
            log.exception("briefings: the tick failed; tried again next tick")
