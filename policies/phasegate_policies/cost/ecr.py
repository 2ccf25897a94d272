"""ECR image storage: what an image in ECR costs, for whichever runtime runs it.

- An **ECR repository** is free by itself; the images it stores are billed per GB-month, from
  `phasegate:usage.ecrStorageGb` (0 is a statement too). Without it declared, a repository, or a runtime resource
  that runs an image from ECR (or may: unknown at preview), cannot be priced.
- The storage is one line for the stack, on its first repository, else on the first resource running an ECR image.

The runtimes' modules say how to read the images of their resources (`ImageReaders`: a task definition's containers,
a function's image URI); this module knows none of them.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from ..engine import UNKNOWN
from .base import Context, Line, Resource, StackUsage, UnknownInput
from .catalog import Unpriceable

REPOSITORY = "aws:ecr/repository:Repository"
ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/")
# Resource type -> its images from its props: a list (items may be UNKNOWN), or UNKNOWN when wholly unknown at preview.
ImageReaders = Mapping[str, Callable[[Any], Any]]


def ecr_usage(images: Any, ctx: Context, what: str) -> bool:
    """True when an image is in ECR, or may be (unknown); UnknownInput then if ecrStorageGb is not declared."""
    candidates = [UNKNOWN] if images is UNKNOWN else list(images)
    in_ecr = [i for i in candidates if isinstance(i, str) and ECR_IMAGE.match(i)]
    unknown = [i for i in candidates if i is UNKNOWN]
    if not in_ecr and not unknown:
        return False
    if ctx.usage.is_declared("ecrStorageGb"):
        return bool(in_ecr)
    if in_ecr:
        raise UnknownInput(f"image {in_ecr[0]} is stored in ECR, billed per GB-month, and "
                           f"phasegate:usage.ecrStorageGb is not declared: declare the GB the stack's images take")
    raise UnknownInput(f"{what} is unknown at preview, so whether its images are stored in ECR (billed per GB-month) "
                       f"cannot be told: declare phasegate:usage.ecrStorageGb (0 if no image is in ECR)")


def _uses_ecr(r: Any, readers: ImageReaders) -> bool:
    """Whether a priced resource names an ECR image (for where the storage line goes)."""
    try:
        images = readers[r.type](r.props)
    except Unpriceable:
        return False
    return images is not UNKNOWN and any(isinstance(i, str) and ECR_IMAGE.match(i) for i in images)


def _repository(r: Resource, ctx: Context) -> list[Line]:
    if not ctx.usage.is_declared("ecrStorageGb"):
        raise UnknownInput("images are billed per GB-month and phasegate:usage.ecrStorageGb is not declared: declare "
                           "the GB the stack's images take")
    return []  # the storage is one usage line for the stack (`storage`)


def storage(readers: ImageReaders, stack: StackUsage) -> None:
    """phasegate:usage.ecrStorageGb once for the stack: on its first repository, else on the first ECR image user."""
    anchor = next(iter(stack.priced(REPOSITORY)), None)
    users = [r for r in stack.priced(*readers) if _uses_ecr(r, readers)]
    anchor = anchor or next(iter(users), None)
    gb = stack.ctx.usage.ecrStorageGb
    if anchor is None or not gb:
        return
    try:
        usd = gb * stack.ctx.catalog.price("ecrStorageGbMonth", anchor.region)
    except Unpriceable as exc:
        stack.unpriced(anchor, f"stores the declared {gb:g} GB of ECR images and {exc}")
        return
    stack.add(anchor, f"{gb:g} GB ECR image storage (phasegate:usage.ecrStorageGb)", usd)


PRICERS = {REPOSITORY: _repository}
