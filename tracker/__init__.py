"""tracker: an event-sourced log of public commitments and whether they are kept.

Laid out by role; dependencies point one way (checked by import-linter in CI):

    cli.py, tracker.fastpath, tracker.entry     parse argv, print, map errors to exit codes
    tracker.application                         one module per capability; the one session
    tracker.output                              text, JSON, CSV, Markdown, HTML, SVG, ics, files
    tracker.ingest                              proposing statements from a readout
    tracker.domain | tracker.persistence        pure rules | the stores (SQLite, PostgreSQL)
    projections                                 read models folded from the log
    events                                      the facts the log records, and their codec

`tracker.errors` is shared by every layer. Nothing here imports the CLI.
"""

__version__ = "0.1.0"
