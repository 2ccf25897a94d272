"""The policy pack's rules, one test module per rule module (policies/phasegate_policies/rules/)."""
