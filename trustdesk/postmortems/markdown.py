"""The post-mortem as Markdown (GitHub-flavoured), for wikis and tickets.

Text written by people is escaped so it cannot become HTML or break a table when the
Markdown is rendered elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from .document import Document, Moment


def _inline(text: object) -> str:
    value = str(text if text is not None else "")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(value.split())


def _cell(text: object) -> str:
    return _inline(text).replace("|", "\\|") or "—"


def _block(text: str) -> str:
    value = (text or "").strip()
    if not value:
        return "_Not written yet._"
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _when(moment: Moment | None) -> str:
    return f"{moment.utc} ({moment.local})" if moment else "—"


def _figure(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else "not counted"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _head(doc: Document) -> list[str]:
    pm, incident = doc.pm, doc.incident
    lines = [f"# {_inline(pm.title)}", ""]
    if doc.restricted:
        lines += [
            "> **RESTRICTED · need-to-know.** Do not forward outside the incident's list.",
            "",
        ]
    reviewers = ", ".join(
        f"{r.reviewer.display_name} ({r.get_decision_display().lower()})" for r in doc.reviews
    )
    facts = [
        ("Post-mortem", f"{pm.ref} · {pm.get_status_display()}"),
        ("Incident", f"{incident.ref} {incident.title}"),
        ("Severity", incident.severity),
        ("Category", incident.category.name),
        ("Required because", "; ".join(pm.reason_labels)),
        ("Author", pm.author.display_name if pm.author else "—"),
        ("Reviewers", reviewers or "—"),
        ("Times", f"UTC and {doc.tz}"),
    ]
    return [*lines, *(f"- **{label}:** {_inline(value)}" for label, value in facts), ""]


def _impact(doc: Document) -> list[str]:
    pm, counted = doc.pm, doc.pm.facts
    markets = ", ".join(f"{m['name']} ({m['code']})" for m in counted.get("markets", []))
    reach = _figure(pm.reach) + (f" ({pm.reach_source})" if pm.reach_source else "")
    lines = [
        "## Impact",
        "",
        f"- Reports: {_figure(counted.get('reports'))}",
        f"- Content items: {_figure(counted.get('content_items'))}",
        f"- Accounts: {_figure(counted.get('accounts'))}",
        f"- Markets: {_inline(markets) or '—'}",
        f"- Reach: {_inline(reach)}",
        f"- Users affected: {_figure(pm.users_affected)}",
        "",
    ]
    if pm.impact_notes:
        lines += [_block(pm.impact_notes), ""]
    if doc.requests:
        rows: list[list[object]] = [
            [r["ref"], r["authority"], _when(r["due"]), _when(r["met"]), r["result"], r["outcome"]]
            for r in doc.requests
        ]
        lines += ["### Regulatory requests", ""]
        lines += _table(["Request", "Authority", "Due", "Met", "Deadline", "Outcome"], rows)
        lines.append("")
    return lines


def _timeline(doc: Document) -> list[str]:
    lines = ["## Durations", ""]
    lines += _table(
        ("Measure", "Duration", "Computed as"),
        [[d.label, d.text, d.explanation] for d in doc.durations],
    )
    lines += ["", "## Timeline", ""]
    if doc.pinned:
        lines += ["### Key moments", ""]
        lines += [
            f"- **{row.when.utc}** ({row.when.local}): {_inline(row.event.text)}"
            for row in doc.pinned
        ]
        lines.append("")
    lines += _table(
        ("Time (UTC)", f"Time ({doc.tz})", "Who", "What"),
        [[r.when.utc, r.when.local, r.actor, r.event.text] for r in doc.timeline],
    )
    return [*lines, ""]


def _analysis(doc: Document) -> list[str]:
    pm = doc.pm
    lines = [
        "## Detection",
        "",
        pm.get_detection_source_display() or "_Not yet known._",
        "",
    ]
    for title, text in (
        ("What went well", pm.went_well),
        ("What went poorly", pm.went_poorly),
        ("Where we got lucky", pm.got_lucky),
        ("Root cause", pm.root_cause),
    ):
        lines += [f"## {title}", "", _block(text), ""]
    lines += ["## Contributing factors", ""]
    lines += [
        f"- **{_inline(link.factor.name)}**{' (root cause)' if link.is_root_cause else ''}"
        + (f": {_inline(link.note)}" if link.note else "")
        for link in doc.factors
    ] or ["_None listed._"]
    lines += ["", "## Five whys", ""]
    lines += [f"{i}. {_inline(why)}" for i, why in enumerate(pm.five_whys, start=1)] or [
        "_Not written yet._"
    ]
    lines += ["", "## Lessons", "", _block(pm.lessons), ""]
    return lines


def _actions(doc: Document) -> list[str]:
    rate = f"{doc.done} of {doc.counted} done" + (
        f" ({doc.percent}%)" if doc.percent is not None else ""
    )
    lines = [f"## Action items: {rate}", ""]
    if not doc.action_items:
        return [*lines, "_None yet._", ""]
    rows: list[list[object]] = [
        [
            item.description,
            item.owner_label,
            item.due_on.isoformat(),
            item.get_priority_display(),
            item.get_status_display(),
            item.factor.factor.name if item.factor else "",
            item.ticket_url,
        ]
        for item in doc.action_items
    ]
    lines += _table(["Action", "Owner", "Due", "Priority", "Status", "Factor", "Ticket"], rows)
    return [*lines, ""]


def render(doc: Document) -> str:
    lines = [
        *_head(doc),
        "## Summary",
        "",
        _block(doc.pm.summary),
        "",
        *_impact(doc),
        *_timeline(doc),
        *_analysis(doc),
        *_actions(doc),
        "---",
        f"Exported {doc.generated_at.utc} for {_inline(doc.generated_for)} from trustdesk.",
        "",
    ]
    return "\n".join(lines)
