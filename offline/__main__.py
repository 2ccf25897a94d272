"""`python -m offline` is the offline check; see offline/check.py."""

import sys

from .check import main

sys.exit(main())
