"""Money as whole cents: sums and deltas never drift (21.229999999999997), and the JSON contract writes exact decimals.

The pack prices lines in float dollars; each line becomes cents once (half up), and everything the reports add
up afterwards is integer arithmetic.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Optional


def cents(usd: float) -> int:
    """Float dollars as whole cents, rounded half up (what a bill shows)."""
    return int(Decimal(repr(usd)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)


def dollars(amount: int) -> float:
    """Cents as the float nearest to the exact dollar amount (prints as 21.23, never 21.229999999999997)."""
    return round(amount / 100, 2)


def decimal_text(amount: Optional[int]) -> Optional[str]:
    """Cents as the contract's decimal text with exactly two places: 2123 -> "21.23", -141 -> "-1.41"."""
    if amount is None:
        return None
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 100)
    return f"{sign}{whole}.{part:02d}"


def from_decimal_text(text: object) -> Optional[int]:
    """The contract's decimal text (or a legacy float) back to cents."""
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return cents(float(text))
    return int(Decimal(str(text)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)


def signed(amount: int) -> str:
    """A delta for people: +$63.84, -$4.20, $0.00."""
    if amount == 0:
        return "$0.00"
    return f"{'+' if amount > 0 else '-'}${decimal_text(abs(amount))}"

