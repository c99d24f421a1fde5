"""`tracker ingest --review`: walk the proposals one by one at a terminal, then log the accepted.

Each proposal is shown with its sentence in context; the analyst accepts it, skips it, or
changes its status (`=STATUS`), commitment (`:ID`) or speaker (`by NAME`) first. Nothing
is written until the last proposal has been answered; then the accepted ones are logged
in one transaction by the caller. Quitting (`q`, end of input) or Ctrl-C writes nothing.
An entry point's module: it reads and writes the terminal, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tracker.domain.values import (
    check_commitment_id,
    check_name,
    parse_status,
    status_with_label,
)
from tracker.errors import UserError

if TYPE_CHECKING:
    from tracker.application.ingest import Choice, Proposals

CONTEXT = 160  # characters of the text shown on each side of the sentence
HELP = "Enter/a accept · s skip · =STATUS · :ID · by NAME · q quit (nothing written)"


class Quit(Exception):
    """The analyst ended the review; nothing is to be written."""


def context(text: str, quote: str) -> str:
    """The sentence with some of the text around it, on one line, the sentence in »«."""
    at = text.find(quote)
    if at < 0:
        return f"»{' '.join(quote.split())}«"
    before = " ".join(text[max(0, at - CONTEXT) : at].split())
    after = " ".join(text[at + len(quote) : at + len(quote) + CONTEXT].split())
    lead = "…" if at > CONTEXT else ""
    tail = "…" if at + len(quote) + CONTEXT < len(text) else ""
    quoted = " ".join(quote.split())
    return f"{lead}{before} »{quoted}« {after}{tail}".strip()


def review(
    proposals: Proposals, ask: Callable[[str], str], say: Callable[[str], None]
) -> list[Choice]:
    """Ask about each proposal; the accepted ones with their changes. Raises `Quit`."""
    from tracker.application.ingest import Choice

    accepted: list[Choice] = []
    total = len(proposals.items)
    say(HELP)
    for p in proposals.items:
        choice = Choice(p.n)
        while True:
            cid = choice.commitment or p.commitment
            new = p.new and choice.commitment is None
            word = choice.status or p.label
            status = parse_status(word)[0]
            shown = status_with_label(status, word)
            logged = " · already logged" if p.n in proposals.logged else ""
            say("")
            say(
                f"[{p.n}/{total}] {cid}{' (new)' if new else ''} · {shown} · "
                f"by {choice.by or p.by or '(no speaker: give one with by NAME)'} · {p.on}{logged}"
            )
            if not new and choice.commitment is None and p.matched_on:
                say(f"  matched {cid} on “{p.matched_on}”")
            if p.closes and choice.status is None:
                say("  this status closes the commitment: check the sentence reports it")
            say(f"  {context(proposals.document.text, p.quote)}")
            try:
                answer = ask("> ").strip()
            except EOFError:
                raise Quit from None
            try:
                if answer in ("", "a", "accept", "y", "yes"):
                    accepted.append(choice)
                    break
                if answer in ("s", "skip", "n", "no"):
                    break
                if answer in ("q", "quit"):
                    raise Quit
                if answer.startswith("="):
                    parse_status(answer[1:])
                    choice = choice._replace(status=answer[1:].strip())
                elif answer.startswith(":"):
                    choice = choice._replace(commitment=check_commitment_id(answer[1:].strip()))
                elif answer.lower().startswith("by "):
                    choice = choice._replace(by=check_name("speaker", answer[3:].strip()))
                else:
                    say(HELP)
            except UserError as exc:
                say(f"Error: {exc}")
    return accepted
