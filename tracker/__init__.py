"""tracker: an event-sourced log of public commitments and whether they are kept.

The package holds the domain (pure decisions), the stores (SQLite, later
PostgreSQL) and the services that tie them together. It must not import the CLI.
"""

__version__ = "0.1.0"
