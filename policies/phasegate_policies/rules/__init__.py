"""The rules, one module per concern; each exports `POLICIES`."""
