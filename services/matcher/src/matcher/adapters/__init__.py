"""Adapters of the matcher: the round store (port, in-memory, Redis), the solver bridge, metrics."""
