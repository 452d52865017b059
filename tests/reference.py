"""Where the team's shared reference data lies for the tests that check against it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_PERIODS = Path("reference-data/mrr-playbook/subscription_periods.csv")


def _shared_dirs() -> list[Path]:
    """Candidate shared/ folders: the environment's, beside the checkout, the team's."""
    candidates = [Path(__file__).resolve().parents[2] / "shared", Path("/work/shared")]
    if configured := os.environ.get("TENURE_SHARED_DIR"):
        candidates.insert(0, Path(configured))
    return candidates


def _find(relative: Path) -> Path:
    for folder in _shared_dirs():
        if (folder / relative).exists():
            return folder / relative
    return _shared_dirs()[0] / relative


SUBSCRIPTION_PERIODS = _find(_PERIODS)

# Locally a checkout without shared/ skips these tests; under CI they must run.
needs_reference_data = pytest.mark.skipif(
    not SUBSCRIPTION_PERIODS.exists() and not os.environ.get("CI"),
    reason=f"shared reference data not found ({SUBSCRIPTION_PERIODS})",
)
