"""Errors a rule raises about one key, so the loader reports each where it belongs (not at the model)."""

from __future__ import annotations


class LocatedError(ValueError):
    """A cross-section rule's error that belongs to one key (the loader reports it there, not at the model)."""

    def __init__(self, loc: tuple, message: str):
        self.loc = loc
        super().__init__(message)


class CrossSectionErrors(ValueError):
    """Several cross-section problems at once, each a `LocatedError`."""

    def __init__(self, problems: list[LocatedError]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))
