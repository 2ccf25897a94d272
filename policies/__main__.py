"""The phasegate policy pack's entry point: the Pulumi engine starts this file; nothing may import it.

`PolicyPack(...)` starts the Analyzer gRPC server, prints its port and never returns.
"""

import os
import sys

# The engine runs this file from the pack directory; make the sibling package importable either way.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pulumi_policy import PolicyPack  # noqa: E402

from phasegate_policies.pack import PACK_DESCRIPTION, PACK_NAME, all_policies  # noqa: E402

PolicyPack(name=PACK_NAME, policies=all_policies(), description=PACK_DESCRIPTION, provider="aws",
           tags=["aws", "cost", "security"])
