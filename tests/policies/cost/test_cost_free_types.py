"""The types declared free (`cost/free_types.py`) are never also priced."""

from __future__ import annotations

from phasegate_policies.cost.free_types import FREE_TYPES
from phasegate_policies.cost.pricers import PRICERS


def test_free_and_priced_types_do_not_overlap():
    assert not FREE_TYPES & set(PRICERS)
