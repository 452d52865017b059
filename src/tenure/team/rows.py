"""The rows team figures are made of: one owner's bridge, one account's entry.

See ``tenure.team.attribution`` for what each figure means.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from tenure.revenue.timeline import CHURN, CONTRACTION, EXPANSION, REACTIVATION

log = logging.getLogger(__name__)

GroupOf = Callable[[int | None], Hashable]
"""Maps an owner id (None: nobody) to the key its figures are added up under."""
Opening = Mapping[int, tuple[int, bool]]
"""Each account's MRR and whether it was a customer at the start of the first day."""
TRANSFER_IN = "transfer_in"
TRANSFER_OUT = "transfer_out"
OPENING = "opening"
CLOSING = "closing"
GAINS = (EXPANSION, REACTIVATION)
LOSSES = (CONTRACTION, CHURN)


def _ratio(top: int, bottom: int) -> Fraction | None:
    return Fraction(top, bottom) if bottom else None


@dataclass
class OwnerBridgeRow:
    """One owner's (or group's) bridge and retention for one period, in minor units.

    ``transfers_out`` is positive and subtracted. ``base_*`` describe the accounts
    that were customers in the book at the start; ``gains`` and ``losses`` are the
    expansion + reactivation and contraction + churn on them while held.
    """

    period: dt.date
    owner: Hashable
    opening_mrr: int = 0
    new: int = 0
    expansion: int = 0
    reactivation: int = 0
    contraction: int = 0
    churn: int = 0
    fx_impact: int = 0
    transfers_in: int = 0
    transfers_out: int = 0
    mrr: int = 0
    opening_customers: int = 0
    customers: int = 0
    customers_in: int = 0
    customers_out: int = 0
    base_mrr: int = 0
    gains: int = 0
    losses: int = 0
    lost_customers: int = 0
    new_accounts: set[int] = field(default_factory=set, repr=False)
    churned_accounts: set[int] = field(default_factory=set, repr=False)

    @property
    def net_new(self) -> int:
        """New + expansion + reactivation + contraction + churn (no fx, transfers)."""
        gained = self.new + self.expansion + self.reactivation
        return gained + self.contraction + self.churn

    def closing_from_movements(self) -> int:
        """Opening + every movement + transfers in - out: equals ``mrr``."""
        return (
            self.opening_mrr
            + self.net_new
            + self.fx_impact
            + self.transfers_in
            - self.transfers_out
        )

    @property
    def new_customers(self) -> int:
        """Accounts with a new movement attributed here in the period."""
        return len(self.new_accounts)

    @property
    def churned_customers(self) -> int:
        """Accounts with a churn movement attributed here in the period."""
        return len(self.churned_accounts)

    @property
    def nrr(self) -> Fraction | None:
        """Net revenue retention of the base (None without a base)."""
        return _ratio(self.base_mrr + self.gains + self.losses, self.base_mrr)

    @property
    def grr(self) -> Fraction | None:
        """Gross revenue retention of the base: losses only."""
        return _ratio(self.base_mrr + self.losses, self.base_mrr)

    @property
    def logo_churn_rate(self) -> Fraction | None:
        """Base customers lost while held, over the base customers."""
        return _ratio(self.lost_customers, self.opening_customers)


@dataclass(frozen=True, slots=True)
class Entry:
    """One account's part in an owner's figure: a movement, transfer or balance.

    ``kind`` is a movement kind, TRANSFER_IN / TRANSFER_OUT (``other`` is the
    owner on the other side) or OPENING / CLOSING (``customer``: paying then).
    ``base`` tells whether the account was in the holder's base at the start.
    """

    owner: Hashable
    account: int
    day: dt.date
    kind: str
    amount: int
    other: int | None = None
    customer: bool = False
    base: bool = False
