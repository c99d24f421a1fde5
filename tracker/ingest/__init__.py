"""Propose statements to log from an article or readout: the rules behind `tracker ingest`.

Owns nothing itself: it re-exports the names the rest of tracker uses. The rules live in
its modules, each importing only those before it in this list:

- `html`: HTML to text, `read_input`, the `Source:`/`Date:`/`Title:` header;
- `sentences`: blocks, sentence spans, masked full stops, quotation regions;
- `cues`: the cue table, negation, hypotheticals, background;
- `speakers`: names, subjects, attribution;
- `matching`: known commitments, stems, acronyms, suggested ids and titles;
- `propose`: `propose`, `Proposal`, and the assignment of statements to commitments.

Pure and offline: standard library, attrs and `tracker.domain` (with its `tracker.errors`)
only. It must not import the store, the CLI, events, projections, any NLP library or anything
that touches the network: `tracker ingest` imports it on every run, so it has to start fast,
and every rule here must stay explainable to an analyst. Nothing is written from here;
callers decide what to log.
"""

from __future__ import annotations

from tracker.ingest.html import Header, html_to_text, looks_like_html, read_input, split_header
from tracker.ingest.matching import KnownCommitment
from tracker.ingest.propose import Proposal, propose
from tracker.ingest.sentences import split_sentences

__all__ = [
    "Header",
    "KnownCommitment",
    "Proposal",
    "html_to_text",
    "looks_like_html",
    "propose",
    "read_input",
    "split_header",
    "split_sentences",
]
