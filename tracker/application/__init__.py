"""The application: one module per capability, each a set of functions a command calls.

`session` (the one session: a store, who records, the clock), `record` (add, log, amend,
followup, retract), `read` (status, history), `remind` and `schedule` (the reminder
report, once or on a cron schedule), `board` (the status board), `calendar` (the ics
export), `ingest` (proposals from a readout, and applying them) and `integrity` (export,
import, verify). They validate raw values into domain values before anything is written,
run the domain's decisions inside the store's write transaction, and return domain values;
rendering is `tracker.output`'s, parsing the entry points'.
"""
