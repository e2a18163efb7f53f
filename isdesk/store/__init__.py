"""Persistence: the peewee database, models and schema migrations."""
