"""Benchmarks: program under mocks, pack evaluation, offline check per stack; pack scaling on synthetic graphs."""
