"""Cue phrases for ingest: the words that make a sentence bear on a commitment, and the status.

Owns: the cue table (pattern, SPEC status, label, strength), negation, hypotheticals,
conditionals and background participles, and `_find_cues`, which lists a sentence's cues
in the order that decides its status.

Imports the standard library, attrs and `tracker.ingest.sentences` only.
"""

from __future__ import annotations

import re

import attrs

from tracker.ingest.sentences import _MONTH_NAMES, _words

_AUX = r"(?:has|have|had|is|are|was|were|be|been|being|am)"
_COMMIT_VERBS = (
    r"(?:support|provide|fund|finance|contribute|deploy|deliver|double|triple|increase|expand"
    r"|raise|reduce|cut|remove|eliminate|abolish|publish|build|construct|complete|finish"
    r"|establish|create|set\s+up|launch|open|extend|review|host|invest|allocate|disburse|train"
    r"|send|donate|offer|grant|sign|ratify|implement|introduce|phase\s+out|lift|waive|release"
    r"|share|help|pay|match|strengthen|give|supply|restore|connect|resume|cooperate|ensure"
    r"|guarantee|protect|submit|adopt|enact|hire|recruit|halve|end|stop|close|honou?r|respect"
    r"|abide|maintain|commit|pledge|step\s+up|scale\s+up|transfer|repay|spend|purchase|procure"
    r"|upgrade|moderni[sz]e|rebuild|repair|reopen|withdraw|begin|start|lower|cap|ban|boost"
    r"|accelerate|expedite|install|equip|earmark|mobili[sz]e|stand\s+(?:with|by)"
    r"|work\s+(?:closely\s+|together\s+)?(?:with|to|towards?|on))"
)
_WILL = r"(?:will|shall|’ll|'ll)"
_WILL_ADVERBS = r"(?:(?:also|now|further|jointly|soon|then|immediately|therefore|still|each)\s+)?"
_FIRST_PERSON_STOP = (
    r"(?:be|not|never|remain|rest|have|see|hear|know|need|try|look|talk|say|tell|hope|wait"
    r"|miss|remember|forget|always|find|get|let|take|go|come|meet|discuss|consider)\b"
)
_PASSIVE_DONE = (
    r"(?:completed|finished|built|delivered|ready|operational|in\s+place|up|installed"
    r"|connected|done|paid|disbursed|signed|ratified|implemented|opened|launched|restored"
    r"|lifted|removed|phased\s+out|reopened|repaired|rebuilt|upgraded|handed\s+over"
    r"|published|released)"
)
_DET = r"(?:its|their|his|her|our|my|a|an|the|this|that|these|those)"
_DATE_WORD = (
    r"(?:\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
    r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b)"
)
# An optional time between a pledge verb and its object: "promised in December to ...".
_WHEN = (
    rf"(?:\s+(?:in|on|last|this|earlier\s+this)\s+(?:{_DATE_WORD}[\w·]*|week|month|year)"
    r"(?:\s+\d{1,4})?)?"
)

# "thanked the Foreign Minister for", "expressed his gratitude to Belgium for"
_THANKS = (
    r"\b(?:thank(?:s|ed|ing)?|(?:expressed|conveyed)\s+(?:his|her|their|its|our)?\s*"
    r"(?:gratitude|appreciation))\s+(?:[\w·’'.-]+\s+){0,6}?"
)
# Whose effort is credited: "his", "Kenya's", "the Government's".
_CREDITED = r"(?:his|her|its|their|the|[\w·’'.-]+\s+)?(?:[\w·’'.-]+[’']s|his|her|its|their)"

# (pattern, status, label, strength). A verb cue ("agreed to") outranks a noun cue ("talks
# on"); among cues of one strength the first in the sentence gives the status, because the
# main clause of a readout sentence comes first and later cues sit in subordinate clauses.
_CUE_TABLE: list[tuple[str, str, str, str]] = [
    # The vocabulary of readouts: what the parties discussed, stressed, welcomed or resolved.
    # proposed: raised, stressed or supported, nobody yet bound to act
    (r"(?<!\bto\s)\b(?:discuss(?:ed|es)|spoke\s+about|talked\s+about|exchanged\s+views\s+on"
     r"|explored)\b(?!\s+(?:during|at|in|on|by)\b)", "proposed", "discussed", "noun"),
    (r"\b(?:emphasi[sz](?:ed|es|ing)|underscor(?:ed|es|ing)|stress(?:ed|es|ing)|highlight(?:ed|s|ing)"
     r"|underlin(?:ed|es|ing)|not(?:ed|es|ing)|reiterat(?:ed|es|ing)|reaffirm(?:ed|s|ing)"
     r"|agreed\s+on|recogni[sz](?:ed|es|ing)|acknowledg(?:ed|es|ing)|affirm(?:ed|s|ing)"
     r"|discuss(?:ed|es)|agreed)\s+(?:the\s+|their\s+|his\s+|her\s+|its\s+)?(?:[\w-]+\s+)?"
     r"(?:importance|need|necessity|urgency)\b(?!\s+to\s+(?:conclude|finali[sz]e|complete|sign"
     r"|ratify|agree\s+on)\b)", "proposed", "discussed", "verb"),
    (r"\bencourag(?:ed|es|e|ing)\b", "proposed", "called for", "verb"),
    (r"\boffer(?:ed|s|ing)\s+(?:his|her|its|their|our|the)?\s*(?:good\s+offices|help|assistance"
     r"|support|to\s+help|to\s+assist)", "proposed", "raised", "verb"),
    (r"\b(?:not(?:ed|es|ing)|express(?:ed|es)|reaffirm(?:ed|s|ing)|reiterat(?:ed|es|ing)"
     r"|underscor(?:ed|es)|affirm(?:ed|s)|voic(?:ed|es)|convey(?:ed|s)|emphasi[sz](?:ed|es)"
     r"|underlin(?:ed|es)|highlight(?:ed|s)|stress(?:ed|es))\s+(?:[\w·’'-]+\s+){0,3}?"
     r"support\s+(?:for|to)\b", "proposed", "discussed", "verb"),
    (r"\breiterat\w*\s+(?:his|her|its|their|the|our)?\s*calls?\b",
     "proposed", "called for", "verb"),
    (r"\bagree(?:d|s|ing)?\s+(?:that\s+)?[^.;]{0,80}?\b(?:must|should|could|need\s+to|would\s+require)\b",
     "proposed", "discussed", "verb"),
    (r"\bmust\s+(?:now\s+|urgently\s+|also\s+)?(?!be\b|not\b)[a-z]+", "proposed", "called for",
     "verb"),
    # pending: a signature, decision or agreement still ahead
    (r"\blook(?:ed|s|ing)?\s+forward\s+to\s+(?:the\s+)?(?:sign|finali|conclu|adopt|ratif|approv"
     r"|agree|decision|complet|reach)", "pending", "awaiting", "verb"),
    (r"\blook(?:ed|s|ing)?\s+forward\s+to\b", "committed", "agreed", "noun"),
    (r"\b(?:talks|negotiations|discussions)\b[^.;]{0,60}?\b(?:proceed|continue|are\s+(?:still\s+)?"
     r"ongoing|is\s+ongoing|under\s*way)", "pending", "negotiating", "verb"),
    (r"\bshare[sd]?\s+the\s+(?:goal|aim|objective)\s+of\s+negotiating\b", "pending",
     "negotiating", "verb"),
    (r"\bwelcom(?:ed|es|e|ing)\s+(?:the\s+)?(?:[\w·’'-]+\s+){0,2}?(?:resumption|return\s+to"
     r"|opening|launch)\s+of\s+(?:the\s+)?(?:[\w·’'-]+\s+){0,3}?(?:talks|negotiations"
     r"|dialogue)\b", "pending", "negotiating", "verb"),
    (r"\b(?:to|and)\s+(?:secure|reach|conclude)\s+(?:an?\s+|such\s+an?\s+|the\s+)?(?:[\w-]+\s+){0,3}?"
     r"(?:agreement|deal|accord)\b", "pending", "negotiating", "noun"),
    (rf"\b{_WILL}\s+(?:now\s+|further\s+)?(?:discuss|negotiate|work\s+out|consider)\b", "pending",
     "negotiating", "verb"),
    (r"\bconclud(?:ed|es)\s+(?:[\w·’'-]+\s+){0,4}?(?:meetings?|talks|rounds?|sessions?"
     r"|discussions?|consultations?)\s+(?:on|about|over|of)\b", "pending", "negotiating", "verb"),
    # committed: resolved, decided, planned
    (r"\bresol(?:ved|ve)\s+to\b", "committed", "agreed", "verb"),
    (r"\bnot(?:ed|ing)\s+(?:[\w·’'-]+\s+){0,6}?decision\s+to\b|\bdecided\s+to\b", "committed",
     "agreed", "verb"),
    (r"\bplans?\s+(?:to|for)\b", "committed", "announced", "noun"),
    (r"\bwelcom(?:ed|es|ing)\s+(?:the\s+)?(?:[\w·’'-]+\s+){0,3}?(?:decision|announcement|launch"
     r"|pledges?|commitments?)\b", "committed", "announced", "verb"),
    # in progress: continuing, progressing, under way
    (r"\bcontinu(?:e|es|ed|ing)\s+(?:to\s+[a-z]+|[a-z]+ing\b|(?:its|their|his|her|our)\s+work"
     r"|work)", "in_progress", "ongoing", "verb"),
    (r"\bcontinued\s+(?:[a-z]+\s+)?(?:cooperation|work|support|engagement|efforts|implementation"
     r"|coordination|dialogue|collaboration|assistance)\b", "in_progress", "ongoing", "verb"),
    (r"\bongoing\b(?!\s+(?:conflict|war|crisis|fighting|violence|hostilities|situation"
     r"|aggression))", "in_progress", "ongoing", "noun"),
    (r"\bprogress\s+(?:made\s+)?(?:on|in|towards?|with)\b|\b(?:significant|positive|good|steady"
     r"|important|real|tangible|further|substantial)\s+progress\b", "in_progress", "ongoing",
     "verb"),
    (r"\befforts\s+(?:to|on|in)\b", "in_progress", "ongoing", "noun"),
    (r"\b(?:is|are|was|were)\s+(?:now\s+|still\s+)?(?:focused\s+on|fulfilling|delivering\s+on"
     r"|meeting\s+(?:its|their)|carrying\s+out)\b", "in_progress", "implementing", "verb"),
    (r"\bsteps\s+taken\b|\bupdated\s+(?:[\w·’'-]+\s+){0,6}?on\s+(?:[\w·’'-]+\s+){0,3}?"
     r"(?:commitments?|progress|implementation|efforts)\b", "in_progress", "ongoing", "verb"),
    (r"\bcontinu(?:e|es|ed|ing)\s+(?:the|its|their|his|her|our)\s+(?:[\w·’'-]+[’']s\s+)?"
     r"(?:work|efforts|cooperation|support|engagement)\s+(?:on|to|in|towards?)\b",
     "in_progress", "ongoing", "verb"),
    # A thank-you that reports a commitment or its delivery (GUIDELINES: it counts);
    # thanks for hospitality, leadership or courage stay out.
    (rf"{_THANKS}for\s+(?:{_CREDITED}\s+)?(?:agreeing|deciding|pledging|committing|its\s+decision"
     r"|their\s+decision|his\s+decision|her\s+decision)\s+to\b", "committed", "agreed", "verb"),
    (rf"{_THANKS}for\s+(?:{_CREDITED}\s+)?(?:[a-z]+\s+){{0,2}}?(?:efforts?|support|collaboration"
     r"|cooperation|contributions?|assistance|work)(?:\s+and\s+(?:[a-z]+\s+)?(?:efforts?"
     r"|support|collaboration|cooperation|contributions?|assistance))?\s+(?:to|on|in|for|with"
     r"|of|towards?)\b", "in_progress", "ongoing", "verb"),
    # closing, but only when the sentence says so outright
    (r"\b(?:welcom(?:ed|es|ing)|celebrat(?:ed|es|ing)|convened|hosted|witnessed|attended)\s+(?:the\s+)?"
     r"(?:[\w·’'-]+\s+){0,2}?(?:signing|adoption|entry\s+into\s+force|completion|ratification)\b",
     "fulfilled", "signed", "verb"),
    (r"\b(?:neither|none|no)\s+(?:[\w·’'-]+\s+){0,3}?(?:observed|kept|honou?red|respected"
     r"|abided\s+by|complied\s+with|implemented|fulfill?ed|met)\b", "broken", "failed", "verb"),
    (r"\b(?:did|does|do|has|have|had)(?:\s+not|n[’']t)\s+(?:observe|keep|honou?r|respect|abide"
     r"|comply|implement|fulfill?|meet|deliver|uphold)\b", "broken", "failed", "verb"),
    # pending: negotiation and awaiting conclusion
    (r"\b(?:the\s+)?need\s+to\s+(?:conclude|finali[sz]e|complete|sign|ratify|agree\s+on)\b",
     "pending", "pending conclusion", "verb"),
    (r"\b(?:work(?:ing)?|push(?:ing)?|aim(?:ing)?|seek(?:ing)?|striv(?:e|ing))\s+to\s+"
     r"(?:conclude|finali[sz]e)\b", "pending", "pending conclusion", "verb"),
    (rf"\b{_AUX}\s+(?:still\s+)?negotiating\b|\bnegotiating\s+{_DET}\b"
     r"|\bcontinu\w*\s+to\s+negotiate\b", "pending", "negotiating", "verb"),
    (r"\b(?:has|have|had)\s+(?:yet\s+|still\s+)?to\s+be\s+(?:ratified|approved|signed"
     r"|finali[sz]ed|concluded|endorsed|adopted|agreed)\b|\byet\s+to\s+be\s+(?:ratified"
     r"|approved|signed|finali[sz]ed|concluded|endorsed|adopted|agreed)\b"
     r"|\bawait(?:s|ing)?\s+(?:final\s+)?(?:ratification|approval|signature|conclusion)\b"
     r"|\bpending\s+(?:ratification|approval|signature)\b", "pending", "awaiting", "verb"),
    (r"\bnegotiations?\s+(?:on|over|for|towards?|about|of)\b", "pending", "negotiating",
     "noun"),
    (rf"\btalks\s+(?:on(?!\s+{_DATE_WORD})|over|about|towards?)\b", "pending", "negotiating",
     "noun"),
    # proposed: requests and calls
    (r"\bcall(?:s|ed|ing)?\s+(?:on|upon|for)\b", "proposed", "called for", "verb"),
    (r"\burg(?:e|es|ed|ing)\b", "proposed", "called for", "verb"),
    (r"\bdemand(?:s|ed|ing)?\s+that\b", "proposed", "called for", "verb"),
    (r"\bappeal(?:s|ed|ing)?\s+(?:to|for)\b", "proposed", "called for", "verb"),
    (r"\brequest(?:s|ed|ing)\b|\brequest\s+(?:that|for)\b", "proposed", "requested", "verb"),
    (r"\basked\s+(?:[\w’'-]+\s+){1,6}?to\s+[a-z]", "proposed", "requested", "verb"),
    (r"\b(?:directed|instructed|tasked)\s+(?:[\w’'-]+\s+){1,10}?to\s+[a-z]", "proposed",
     "requested", "verb"),
    (r"\bproposed\s+(?:a|an|the|to|that)\b", "proposed", "proposed", "verb"),
    # committed: pledges and agreements
    (rf"\b(?:{_AUX}|remain(?:s|ed)?|stay(?:s|ed)?)\s+(?:fully\s+|firmly\s+|deeply\s+|strongly\s+"
     r"|still\s+|also\s+)?committed\b", "committed", "committed", "verb"),
    (r"\bcommit(?:s|ted)(?=\s+(?:to|itself|themselves|himself|herself|ourselves|his|her|their"
     r"|its|our|the|a|an|\$|€|£|\d))(?![^.;]{0,40}\b(?:crimes?|attacks?|atrocit|abuses?|murders?"
     r"|offen[cs]es?|fraud|genocide|massacres?)\b)", "committed", "committed", "verb"),
    (r"\b(?:re)?affirm(?:s|ed|ing)?\s+(?:[\w’'.-]+\s+){0,4}?commitments?\b"
     r"|\breiterat(?:es|ed|ing)\s+(?:[\w’'.-]+\s+){0,4}?commitments?\b",
     "committed", "committed", "verb"),
    (r"\bpledg(?:ed|es|ing)\b|\bpledge\s+to\b", "committed", "pledged", "verb"),
    (rf"\bpromis(?:ed|es|ing){_WHEN}\s+(?:to|that|a|an|the|\$|€|£|\d)", "committed",
     "promised", "verb"),
    (rf"\bvow(?:s|ed){_WHEN}\s+to\b|\bundert(?:ook|akes|aken)\s+to\b|\bguarantee[sd]?\s+(?:to|that)\b",
     "committed", "promised", "verb"),
    (r"\bsigned\s+up\s+to\b", "committed", "agreed", "verb"),
    (rf"\bagree(?:s|d|ing)?(?!\s+to\s+remain\s+seized)(?:\s+on(?!\s+{_DATE_WORD}|\s+the\s+(?:importance|need))|{_WHEN}\s+(?:to|that|upon|in\s+principle)"
     r"|\s+with\s+(?:[\w·’'-]+\s+){1,5}?to)\b"
     r"|\b(?:has|have|had|was|were)\s+agreed\b", "committed", "agreed", "verb"),
    (r"\breach(?:ed|es)?\s+(?:an?\s+)?(?:[\w-]+\s+)?(?:agreement|deal|accord|consensus"
     r"|understanding)\b|\bstr(?:uck|ike)\s+(?:an?\s+)?(?:[\w-]+\s+)?(?:deal|agreement)\b"
     r"|\bclinch(?:ed)?\s+(?:an?\s+)?(?:[\w-]+\s+)?deal\b", "committed", "agreed", "verb"),
    (r"\badopt(?:ed|s)(?=\s+(?:a\s+|an\s+|the\s+)?(?:[\w-]+\s+){0,2}?(?:resolution|declaration"
     r"|plan|framework|text|decision|roadmap|road\s+map|strategy|programme|program|budget|law"
     r"|bill|measures?|communiqu))", "committed", "agreed", "verb"),
    (r"\bapprov(?:ed|es)\s+(?:a|an|the|\$|€|£|\d)", "committed", "agreed", "verb"),
    (r"\bannounc(?:ed|es)\s+(?!that\b|on\b|in\b|at\b|yesterday\b|today\b|last\b|earlier\b"
     r"|during\b|after\b|before\b|via\b|through\b|his\s+resignation|her\s+resignation)"
     r"(?=[\w$€£])", "committed", "announced", "verb"),
    (rf"\b{_WILL}\s+continue\s+to\b", "in_progress", "ongoing", "verb"),
    (rf"\b(?:we|i)\s+{_WILL}\s+{_WILL_ADVERBS}(?!{_FIRST_PERSON_STOP})[a-z]+",
     "committed", "promised", "verb"),
    (rf"\b{_WILL}\s+{_WILL_ADVERBS}{_COMMIT_VERBS}\b", "committed", "promised", "verb"),
    (rf"\b{_WILL}\s+be\s+(?:fully\s+|finally\s+)?{_PASSIVE_DONE}(?=[^.;]{{0,60}}\bby\b)",
     "committed", "promised", "verb"),
    (r"\bcommitments?\s+to\b", "committed", "committed", "noun"),
    # in progress: implementation
    (r"\b(?:launch(?:ed|es)|(?:has|have|had)\s+begun|began(?!\s+by\b)|begins|start(?:ed|s)"
     r"|roll(?:ed|s)\s+out|resum(?:ed|es)|deploy(?:ed|s)|kick(?:ed|s)\s+off|commenc(?:ed|es)"
     r"|disburs(?:ed|es))\b", "in_progress", "ongoing", "verb"),
    (rf"\b{_AUX}\s+(?:now\s+|already\s+)?implementing\b", "in_progress", "implementing",
     "verb"),
    (r"\b(?:is|are|was|were|remains?|now|already)\s+(?:well\s+)?under\s*way\b|\bunderway\b",
     "in_progress", "underway", "verb"),
    (r"\b(?:is|are|remains?|was|were)\s+(?:still\s+)?ongoing\b|\bon\s+track\b",
     "in_progress", "ongoing", "verb"),
    # fulfilled
    (r"\bsigned\b", "fulfilled", "signed", "verb"),
    (r"\bconclud(?:ed|es)\s+(?:a|an|the|its|their)\b(?!\s+(?:[\w·’'-]+\s+){0,3}?"
     r"(?:meetings?|visits?|weeks?|sessions?|rounds?|trips?|tours?|discussions?|conferences?"
     r"|summits?|dialogues?|calls?|talks|consultations?|days?|series|remarks|speech)\b)"
     r"|\b(?:was|were|has\s+been"
     r"|have\s+been)\s+concluded\b", "fulfilled", "concluded", "verb"),
    (r"\bratifi(?:ed|es)\b", "fulfilled", "concluded", "verb"),
    (r"\bdelivered\b(?!\s+on\s+(?:our|its|their|his|her|all|my)\s+(?:promises|commitments"
     r"|pledges)\b)|\bhand(?:ed|s)\s+over\b", "fulfilled", "delivered", "verb"),
    (r"\bcomplet(?:ed|es)\b|\bfinished\b", "fulfilled", "completed", "verb"),
    (r"\b(?:kept|honou?red|fulfill?ed|met)\s+(?:its|their|his|her|our|my|the|this|that|a|an)\s+"
     r"(?:[\w-]+\s+)?(?:promise|pledge|commitment|obligation|target|word)s?\b",
     "fulfilled", "kept", "verb"),
    # partial
    (r"\b(?:is|was|it’s|it's|represents|amounts\s+to)\s+(?:a|an)\s+(?:[\w-]+\s+)?compromise\b"
     r"|\bcompromise\s+(?:deal|agreement)\b", "partial", "compromise", "verb"),
    (r"\b(?:partly|partially|in\s+part)\s+(?:kept|met|fulfill?ed|honou?red|delivered"
     r"|implemented)\b", "partial", "partly kept", "verb"),
    # stalled
    (r"(?<![\w-])(?:stalled|stalling)\b", "stalled", "stalled", "verb"),
    (r"(?<![\w-])(?:delayed|postponed|deferred|pushed\s+back|behind\s+schedule)\b",
     "stalled", "delayed", "verb"),
    (r"(?<![\w-])(?:suspended|paused|frozen|froze|halted|put\s+on\s+hold|on\s+hold)\b",
     "stalled", "on hold", "verb"),
    (r"(?<![\w-])(?:blocked|deadlock(?:ed)?|stalemate|stuck|no\s+progress)\b",
     "stalled", "blocked", "verb"),
    (r"\bdelays?\s+(?:in|to|on)\b", "stalled", "delayed", "noun"),
    # broken
    (r"\bviolat(?:ed|es|ing)\b|\bbreach(?:ed|es|ing)\b", "broken", "violated", "verb"),
    (rf"\b(?:broke|broken|break(?:s|ing)?)\s+{_DET}\s+(?:[\w-]+\s+){{0,2}}?(?:ceasefire|truce"
     r"|agreement|deal|accord|treaty)\b", "broken", "violated", "verb"),
    (rf"\b(?:broke|broken|break(?:s|ing)?)\s+{_DET}\s+(?:[\w-]+\s+){{0,2}}?(?:promises?"
     r"|pledges?|commitments?|word)\b", "broken", "failed", "verb"),
    (r"\breneg(?:ed|es|ing)\b|\b(?:went|gone|going)\s+back\s+on\b|\bbacktrack(?:ed|ing)?\s+on\b",
     "broken", "reneged", "verb"),
    (r"\bfail(?:ed|s|ing)\s+(?:to|on)\b|\b(?:has|have|had)\s+failed\b"
     r"|\b(?:we|they|he|she|it)\s+failed\b", "broken", "failed", "verb"),
    (rf"\bmissed\s+{_DET}\s+(?:[\w-]+\s+){{0,2}}?(?:targets?|deadlines?|goals?)\b"
     r"|\b(?:has|have|had)\s+been\s+missed\b|\b(?:was|were)\s+missed\b",
     "broken", "failed", "verb"),
    (r"\bviolations?\s+of\b|\bbreach\s+of\b", "broken", "violated", "noun"),
    # withdrawn
    (rf"\bdropp(?:ed|ing)\s+(?:{_DET}\s+)?(?:[\w-]+\s+){{0,2}}?(?:demands?|plans?|proposals?"
     r"|bid|requests?|objections?|opposition|insistence|claims?|pledges?|commitments?|offer"
     r"|project)\b", "withdrawn", "dropped", "verb"),
    (r"\babandon(?:ed|s|ing)\b|\bscrapped\b|\bshelved\b", "withdrawn", "abandoned", "verb"),
    (r"\bcancel(?:l)?ed\b|\brescinded\b|\brevoked\b", "withdrawn", "cancelled", "verb"),
    (r"\bwithdr(?:ew|awn|aws)\s+(?:from\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:agreement|deal"
     r"|accord|treaty|talks|negotiations|pact|process|initiative|programme|program)"
     r"|(?:its|their|his|her)\s+(?:offer|pledge|support|proposal|bid|commitment))\b",
     "withdrawn", "withdrawn", "verb"),
    (r"\bpull(?:ed|s)\s+out\s+of\b", "withdrawn", "withdrawn", "verb"),
    # superseded
    (r"\b(?:replaced|superseded)\s+by\b|\bsupersed(?:es|ed)\b", "superseded", "replaced", "verb"),
]  # fmt: skip
_CUES = [(re.compile(p, re.IGNORECASE), s, lab, k) for p, s, lab, k in _CUE_TABLE]
# "would" carries a pledge only in reported speech ("said Norland would continue to ...").
_REPORTED_WOULD = re.compile(
    r"\b(?:said|says|told|added|announced|stated|confirmed|promised)\b[^.;]{0,120}?"
    rf"\b(?P<cue>would\s+{_WILL_ADVERBS}(?:continue\s+to|{_COMMIT_VERBS}|be\s+{_PASSIVE_DONE}"
    r"(?=[^.;]{0,60}\bby\b)))\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:not|never|no\s+longer|n[o']t\s+yet|neither|nor)\s+(?:yet\s+|been\s+|be\s+|fully\s+"
    r"|formally\s+)*\Z|n[’']t\s+(?:yet\s+|been\s+|be\s+)*\Z",
    re.IGNORECASE,
)
# A bare past participle followed by a time or place ("an initiative launched in 2005",
# "the ceasefire agreed in Geneva") is background, not news about the commitment.
_BACKGROUND_AFTER = re.compile(
    r"\s+(?:in|at|during|since|last|earlier|back|years|decades|months|on\s+(?:\d|"
    + _MONTH_NAMES
    + r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b"
)
_PARTICIPLES = _words(
    """launched began started agreed signed promised pledged delivered deployed adopted
    announced concluded completed approved ratified committed resumed finished"""
)
_AUX_WORDS = _words("has have had was were is are been be being am")
_PRAISE_VERBS = re.compile(
    r"\b(?:thank(?:s|ed)?|congratulat\w*|prais\w*|commend\w*|condol\w*|mourn\w*|paid\s+tribute"
    r"|pays\s+tribute|expressed\s+(?:his|her|their|its|our)?\s*(?:condolences|sympathy"
    r"|gratitude|appreciation))",
    re.IGNORECASE,
)


@attrs.frozen
class _Cue:
    start: int
    end: int
    status: str
    label: str
    strength: str


def _find_cues(masked: str, *, loose: bool = False) -> list[_Cue]:
    found: list[_Cue] = []
    for pattern, status, label, strength in _CUES:
        for match in pattern.finditer(masked):
            if not loose and _is_background(masked, match):
                continue
            before = masked[max(0, match.start() - 40) : match.start()]
            if strength == "verb" and _NEGATED.search(before):
                continue
            if status in _DONE_STATUSES and _HYPOTHETICAL.search(before):
                continue  # "would be signed", "could be completed": not done yet
            if _CONDITIONAL.search(re.split(r"[,;:]", before)[-1]):
                continue  # "if the parties agree to ...": nothing was agreed
            if _in_a_name(masked, match.start()):
                continue  # "the Jeddah Declaration of Commitment to Protect Civilians"
            if status in CLOSING_STATUSES and _SUBORDINATE.search(re.split(r"[,;:]", before)[-1]):
                continue  # "... after the agreement was signed": not what the sentence reports
            if label == "discussed" and (
                _GENERAL_VALUE.match(masked, match.end()) or _SITUATION.match(masked, match.end())
            ):
                continue  # "the importance of peace and stability": no action to log
            found.append(_Cue(match.start(), match.end(), status, label, strength))
    for match in _REPORTED_WOULD.finditer(masked):
        found.append(_Cue(match.start("cue"), match.end("cue"), "committed", "promised", "verb"))
    found.sort(key=lambda c: (c.strength != "verb", c.start, -(c.end - c.start)))
    return found


# Statuses that close a commitment: proposed only from a cue that states it outright.
CLOSING_STATUSES = frozenset({"fulfilled", "partial", "broken", "withdrawn", "superseded"})
_SUBORDINATE = re.compile(
    r"\b(?:after|since|when|once|before|until|following|which|who|whereby)\b", re.IGNORECASE
)
# "discussed the situation in the east": a state of the world, not an action.
_SITUATION = re.compile(
    r"\s+(?:the\s+|their\s+|regional\s+|bilateral\s+|current\s+|ongoing\s+|latest\s+)*"
    r"(?:situation|conflict|crisis|war|developments|issues|challenges?|relationship|ties|events)\b",
    re.IGNORECASE,
)
_GENERAL_VALUE = re.compile(
    r"\s+(?:of|for)\s+(?:(?:maintaining|preserving|upholding|the|a|an|our|their|its|strong|close)"
    r"\s+)*(?:[\w·’'-]+\s+){0,3}?(?:peace|stability|relationship|alliance|friendship|ties"
    r"|partnership|values|role)\b(?![^.;]{0,40}\b(?:through|by)\b)",
    re.IGNORECASE,
)


def _in_a_name(masked: str, start: int) -> bool:
    """A capitalised cue word after the sentence's first word sits inside a proper name."""
    if not masked[start : start + 1].isupper():
        return False
    before = masked[:start].rstrip()
    return bool(before) and not before.endswith(('"', "“", "‘", "'", "(", ":", "—"))


_DONE_STATUSES = frozenset({"fulfilled", "in_progress", "broken", "withdrawn", "stalled"})
_HYPOTHETICAL = re.compile(
    r"\b(?:would|could|should|might|may|must|can|will|to|shall)\s+(?:not\s+)?(?:have\s+)?"
    r"(?:be|been|get)\s+(?:\w+ly\s+)?\Z",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(r"(?:^|\s)(?:if|unless|whether|once|should)\b", re.IGNORECASE)


def _is_background(masked: str, match: re.Match[str]) -> bool:
    word = match.group(0).split()[0].lower() if match.group(0).split() else ""
    if word not in _PARTICIPLES or len(match.group(0).split()) > 1:
        return False
    before = masked[: match.start()].split()
    if before and before[-1].lower() in _AUX_WORDS:
        return False
    return _BACKGROUND_AFTER.match(masked, match.end()) is not None


_FINALISING = re.compile(
    r"\s+(?:[\w·’'-]+\s+){0,3}?(?:the\s+)?(?:finali[sz](?:ation|ing)|final\s+adoption"
    r"|negotiation|conclusion)\s+of\b",
    re.IGNORECASE,
)
_PLEDGED_TO = re.compile(
    r"\b(?:commitment|commitments|committed|pledged?|resolved?)\s+to"
    r"\s+(?:ensur(?:e|ing)\s+)?(?:the\s+)?\Z",
    re.IGNORECASE,
)


def _governing(cues: list[_Cue], masked: str) -> _Cue:
    """The cue that gives a sentence's status, from its cues in `_find_cues` order.

    The first verb cue, else the first noun cue, with GUIDELINES' settled cases:
    - "discussed" yields to a plan, pledge or announcement it names ("discussed the
      announcement of U.S. plans for vaccines": committed) and to "ongoing" ("discussed
      the ongoing mission": in progress), not to efforts or talks it names;
    - support for X yields to a commitment that spells it out: "reaffirmed their support
      for Ukraine, agreeing that they will stand with them" is committed;
    - progress or cooperation in finalising X reports X under negotiation (pending);
    - a pledge to continue X is committed, not in progress ("its commitment to ensuring
      continued implementation").
    """
    cue = cues[0]
    if cue.label == "discussed":
        later = [
            c
            for c in cues[1:]
            if c.label != "discussed"
            and c.start > cue.start
            and (
                c.status == "committed"
                or (
                    c.strength == "noun"
                    and c.label == "ongoing"
                    and "ongoing" in masked[c.start : c.end].lower()
                )
            )
        ]
        if later and (cue.strength == "noun" or "support" in masked[cue.start : cue.end].lower()):
            cue = (
                later[0]
                if cue.strength == "noun"
                else next((c for c in later if c.status == "committed"), cue)
            )
    if cue.status == "in_progress" and _FINALISING.match(masked, cue.end):
        return _Cue(cue.start, cue.end, "pending", "pending conclusion", cue.strength)
    if cue.status == "in_progress" and _PLEDGED_TO.search(
        masked[max(0, cue.start - 60) : cue.start]
    ):
        return _Cue(cue.start, cue.end, "committed", "committed", cue.strength)
    return cue
