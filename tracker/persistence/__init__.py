"""Persistence: the stores behind one interface, and where a database lives.

`store` (the interface), `logstore` (what both stores do the same way), `sqlite` (the
embedded default), `postgres` (the shared store for a team) and `locate` (the per-user
default path, and which store a `--db` value names). Projections are written against
`projections.sql.Sql`, which both stores provide.
"""
