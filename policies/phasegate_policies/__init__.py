"""phasegate's policy pack as a package: the rules, the cost model and the contract the program shares.

Importing the package (or `contract`, or `cost.catalog`) loads no policy: the pack is assembled in `pack.py`,
which only `policies/__main__.py` uses.
"""
