"""Message templates filled in from the incident."""

from __future__ import annotations

import string
from typing import Any

from trustdesk.incidents.models import Incident


def fill_template(body: str, incident: Incident | None) -> str:
    """``{ref}``, ``{title}``, ``{markets}``, ``{severity}``, ``{commander}`` filled in from
    the incident; any other braces are left as written."""
    if incident is None:
        return body
    values: dict[str, Any] = {
        "ref": incident.ref,
        "title": incident.title,
        "markets": ", ".join(m.code for m in incident.markets.all()) or "—",
        "severity": incident.severity,
        "commander": incident.commander.display_name if incident.commander else "[commander]",
    }
    out = []
    try:
        for literal, name, _spec, _conv in string.Formatter().parse(body):
            out.append(literal)
            if name is not None:
                out.append(str(values[name]) if name in values else "{" + name + "}")
    except ValueError:
        return body  # a stray brace: show the template as written
    return "".join(out)
