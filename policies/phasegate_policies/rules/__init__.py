"""The rules, one module per concern; each exports `POLICIES`, declared with `declare.resource_policy` or
`declare.stack_policy`."""
