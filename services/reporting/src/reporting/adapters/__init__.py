"""Reporting's adapters: Redis projections, the encrypted desk store, the audit stream, the cipher."""
