"""The domain: values and rules, pure (no I/O, no clock, no SQL).

`values` (statuses, ids, dates, durations, text rules), `decide` (which events a command
records), `staleness` (SPEC's staleness rules at a moment), `history` (a commitment's
status bands, follow-ups and stale stretches over time, by the same rules) and `views`
(the values the reading commands hand to the renderers: the board, the reminder report).
"""
