"""Intake pages: the triage queue, group pages and their actions, the escalation form, the
file import, dead letters, and the evidence view. Each view checks access, calls a service,
and renders."""
