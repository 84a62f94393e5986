"""The blameless-language reminder: words that point at a person rather than at the system.

It never blocks anything. A post-mortem that reads as blame teaches people to hide
mistakes; the reminder asks the writer to describe what made the action seem right at the
time instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Phrase -> what to write instead. Matched as whole words, case-insensitively.
_PHRASES: dict[str, str] = {
    "blame": "describe the conditions that led to the decision",
    "blamed": "describe the conditions that led to the decision",
    "fault": "name the gap in the system, not the person",
    "at fault": "name the gap in the system, not the person",
    "careless": "say what made the step easy to miss",
    "carelessness": "say what made the step easy to miss",
    "negligent": "say what made the step easy to miss",
    "negligence": "say what made the step easy to miss",
    "should have": "say what would have helped them do it",
    "should've": "say what would have helped them do it",
    "shouldn't have": "say what would have helped them avoid it",
    "failed to": "say what got in the way",
    "human error": "say what made the error likely",
    "incompetent": "describe the missing training or guidance",
    "lazy": "describe the workload or incentives",
    "sloppy": "describe the workload or incentives",
    "stupid": "describe the decision and what it was based on",
    "obviously": "say what was known at the time",
}

_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(_PHRASES, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Flag:
    field: str
    phrase: str
    suggestion: str
    excerpt: str


def _excerpt(text: str, start: int, end: int, width: int = 40) -> str:
    left = max(0, start - width)
    right = min(len(text), end + width)
    prefix = "…" if left else ""
    suffix = "…" if right < len(text) else ""
    return prefix + text[left:right].replace("\n", " ") + suffix


def flags(texts: dict[str, str]) -> list[Flag]:
    """Every flagged phrase in ``texts`` (field name -> text), in field order."""
    found = []
    for field_name, text in texts.items():
        for match in _PATTERN.finditer(text or ""):
            phrase = match.group(1).lower()
            found.append(
                Flag(
                    field=field_name,
                    phrase=match.group(1),
                    suggestion=_PHRASES[phrase],
                    excerpt=_excerpt(text, match.start(), match.end()),
                )
            )
    return found


# The write-up's free text, by the label the reader sees.
_TEXT_FIELDS = {
    "summary": "Summary",
    "impact_notes": "Impact notes",
    "went_well": "What went well",
    "went_poorly": "What went poorly",
    "got_lucky": "Where we got lucky",
    "root_cause": "Root cause",
    "lessons": "Lessons",
}


def postmortem_flags(pm: Any) -> list[Flag]:
    texts = {label: getattr(pm, name) for name, label in _TEXT_FIELDS.items()}
    texts.update({f"Why {i}": why for i, why in enumerate(pm.five_whys, start=1)})
    return flags(texts)
