"""What users read: every format, pure string building, and writing files safely.

`text` (terminal tables and the commitment detail), `structured` (JSON and CSV),
`markdown`, `html` (the look every page shares), `board` (the status board in HTML with
SVG timelines, and Markdown), `reminders` (the reminder report in every format),
`proposals` (ingest's table and JSON), `ics`, `files` (atomic writes) and `progress`.
Nothing here reads a store.
"""
