"""Adapters of the notifier: Redis store, intake directory, channels (SMTP, webhook, inbox), templates."""
