"""The regime pack: reading the TOML files in ``data/regimes`` and loading them.

Loading never destroys history. A rule that is new gets version 1; a rule whose pack entry
changed gets a new version and requests keep the version they were computed with; a rule
an administrator edited since the last load keeps the local edit unless the caller asks to
overwrite it. Nothing is ever deleted: a rule dropped from the pack stays as it was.

The loader takes the model classes as arguments so the data migration can pass its
historical models.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from trustdesk.lib.regions import Region

from .clock import ClockError, ClockKind, ClockSpec, Closure, RetentionUnit

PACK_DIR = Path(__file__).resolve().parent / "data" / "regimes"

_FILE_KEYS = {"jurisdiction", "name", "region", "tz", "holidays", "holiday_subdiv"}
_AUTHORITY_KEYS = {"code", "name", "kind", "tz", "holidays", "holiday_subdiv"}
_RULE_REQUIRED = {
    "code",
    "title",
    "instrument",
    "request_type",
    "clock",
    "duration",
    "clock_start",
    "deadline_for",
    "basis",
    "citation",
}
_RULE_OPTIONAL = {
    "authority",
    "issuer",
    "article",
    "actions",
    "set_by_order",
    "order_days",
    "closures",
    "roll_forward",
    "clock_start_text",
    "deadline_text",
    "tz",
    "holidays",
    "holiday_subdiv",
    "keep",
    "effective_from",
    "effective_to",
    "notes",
}
_CLOCK_STARTS = {"receipt", "service", "valid_request", "awareness"}
_DEADLINE_FOR = {"acknowledged", "actioned", "responded"}
_ACTIONS = {"remove", "restrict", "preserve", "disclose", "report", "respond"}
_AUTHORITY_KINDS = {
    "court",
    "regulator",
    "law_enforcement",
    "prosecutor",
    "government",
    "clearinghouse",
    "trusted_flagger",
    "individual",
}
# Weakest first: a row marked "V/G" is only as sure as its G part.
_VERIFICATION_ORDER = ("G", "S", "V")


class PackError(ValueError):
    """A pack file that cannot be loaded; the message names the file, rule and key."""


@dataclass
class Pack:
    jurisdictions: list[dict[str, Any]] = field(default_factory=list)
    authorities: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)  # RuleVersion field values

    def rule(self, code: str) -> dict[str, Any]:
        return next(r for r in self.rules if r["code"] == code)


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_local: list[str] = field(default_factory=list)


def verification_of(basis: str) -> str:
    letters = [c for c in basis if c in _VERIFICATION_ORDER]
    if not letters:
        raise PackError(f"basis {basis!r} has none of V, S, G")
    return min(letters, key=_VERIFICATION_ORDER.index)


def _check_keys(where: str, data: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise PackError(f"{where}: unknown key {unknown[0]!r}")
    missing = sorted(required - set(data))
    if missing:
        raise PackError(f"{where}: missing key {missing[0]!r}")


def _choice(where: str, key: str, value: Any, allowed: set[str]) -> str:
    if value not in allowed:
        raise PackError(f"{where}: {key} must be one of {', '.join(sorted(allowed))}")
    return str(value)


def _date(where: str, key: str, value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date):
        raise PackError(f"{where}: {key} must be a TOML date such as 2026-05-19")
    return value


def rule_fields(where: str, raw: dict[str, Any], jurisdiction: str) -> dict[str, Any]:
    """One ``[[rules]]`` table as RuleVersion field values (plus code and jurisdiction)."""
    _check_keys(where, raw, _RULE_REQUIRED | _RULE_OPTIONAL, _RULE_REQUIRED)
    clock = _choice(where, "clock", raw["clock"], {k.value for k in ClockKind})
    order_days = raw.get("order_days", ClockKind.CALENDAR_DAYS.value)
    _choice(where, "order_days", order_days, {"calendar_days", "business_days"})
    keep = raw.get("keep") or {}
    if keep:
        _check_keys(f"{where} keep", keep, {"count", "unit"}, {"count", "unit"})
        _choice(where, "keep.unit", keep["unit"], {u.value for u in RetentionUnit})
    actions = list(raw.get("actions", []))
    for action in actions:
        _choice(where, "actions", action, _ACTIONS)
    effective_from = _date(where, "effective_from", raw.get("effective_from"))
    effective_to = _date(where, "effective_to", raw.get("effective_to"))
    if effective_from and effective_to and effective_to <= effective_from:
        raise PackError(f"{where}: effective_to must be after effective_from")
    duration = raw["duration"]
    if not isinstance(duration, int) or duration < 0:
        raise PackError(f"{where}: duration must be a whole number of hours or days")
    try:
        closures = [Closure(**c).as_dict() for c in raw.get("closures", [])]
    except (TypeError, ClockError) as exc:
        raise PackError(f"{where}: closures: {exc}") from None
    return {
        "code": raw["code"],
        "jurisdiction": jurisdiction,
        "authority": raw.get("authority", ""),
        "title": raw["title"],
        "issuer": raw.get("issuer", ""),
        "instrument": raw["instrument"],
        "article": raw.get("article", ""),
        "request_type": raw["request_type"],
        "default_actions": actions,
        "clock_kind": clock,
        "duration": duration,
        "set_by_order": bool(raw.get("set_by_order", False)),
        "order_days": order_days,
        "clock_start": _choice(where, "clock_start", raw["clock_start"], _CLOCK_STARTS),
        "clock_start_text": raw.get("clock_start_text", ""),
        "deadline_for": _choice(where, "deadline_for", raw["deadline_for"], _DEADLINE_FOR),
        "deadline_text": raw.get("deadline_text", ""),
        "tz": raw.get("tz", ""),
        "holiday_country": raw.get("holidays", ""),
        "holiday_subdiv": raw.get("holiday_subdiv", ""),
        "closures": closures,
        "roll_forward": bool(raw.get("roll_forward", False)),
        "effective_from": effective_from,
        "effective_to": effective_to,
        "verification": verification_of(raw["basis"]),
        "basis": raw["basis"],
        "uncertain": "!" in raw["basis"],
        "keep_count": keep.get("count"),
        "keep_unit": keep.get("unit", ""),
        "citation": raw["citation"],
        "notes": raw.get("notes", ""),
    }


def _read_file(path: Path, pack: Pack) -> None:
    with path.open("rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise PackError(f"{path.name}: {exc}") from None
    header = {k: v for k, v in data.items() if k not in ("authorities", "rules")}
    _check_keys(path.name, header, _FILE_KEYS, {"jurisdiction", "name", "region", "tz"})
    code = header["jurisdiction"]
    _choice(path.name, "region", header["region"], {r.value for r in Region})
    pack.jurisdictions.append(
        {
            "code": code,
            "name": header["name"],
            "region": header["region"],
            "tz": header["tz"],
            "holiday_country": header.get("holidays", ""),
            "holiday_subdiv": header.get("holiday_subdiv", ""),
        }
    )
    for raw in data.get("authorities", []):
        where = f"{path.name} authority {raw.get('code', '?')}"
        _check_keys(where, raw, _AUTHORITY_KEYS, {"code", "name", "kind"})
        _choice(where, "kind", raw["kind"], _AUTHORITY_KINDS)
        pack.authorities.append(
            {
                "code": raw["code"],
                "name": raw["name"],
                "kind": raw["kind"],
                "jurisdiction": code,
                "tz": raw.get("tz", ""),
                "holiday_country": raw.get("holidays", ""),
                "holiday_subdiv": raw.get("holiday_subdiv", ""),
            }
        )
    for raw in data.get("rules", []):
        pack.rules.append(rule_fields(f"{path.name} rule {raw.get('code', '?')}", raw, code))


def _validate(pack: Pack) -> None:
    jurisdictions = {j["code"]: j for j in pack.jurisdictions}
    authorities = {a["code"]: a for a in pack.authorities}
    seen: set[str] = set()
    for rule in pack.rules:
        where = f"rule {rule['code']}"
        if rule["code"] in seen:
            raise PackError(f"{where}: the code is used twice")
        seen.add(rule["code"])
        authority = authorities.get(rule["authority"]) if rule["authority"] else None
        if rule["authority"] and authority is None:
            raise PackError(f"{where}: unknown authority {rule['authority']!r}")
        jurisdiction = jurisdictions[rule["jurisdiction"]]
        # The clock must be computable in the zone and calendar it will be used with.
        try:
            ClockSpec(
                kind=ClockKind(rule["clock_kind"]),
                duration=rule["duration"],
                tz=rule["tz"] or (authority or {}).get("tz") or jurisdiction["tz"],
                holiday_country=rule["holiday_country"] or jurisdiction["holiday_country"],
                holiday_subdiv=rule["holiday_subdiv"] or jurisdiction["holiday_subdiv"],
            )
        except ClockError as exc:
            raise PackError(f"{where}: {exc}") from None


def read_pack(directory: Path = PACK_DIR) -> Pack:
    """Read and check every ``*.toml`` file; raise ``PackError`` naming the first problem."""
    pack = Pack()
    for path in sorted(directory.glob("*.toml")):
        _read_file(path, pack)
    _validate(pack)
    return pack


def fingerprint(fields: dict[str, Any]) -> str:
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# Fields of a RuleVersion that come from the pack (everything but bookkeeping).
VERSION_FIELDS = (
    "title",
    "issuer",
    "instrument",
    "article",
    "request_type",
    "default_actions",
    "clock_kind",
    "duration",
    "set_by_order",
    "order_days",
    "clock_start",
    "clock_start_text",
    "deadline_for",
    "deadline_text",
    "tz",
    "holiday_country",
    "holiday_subdiv",
    "closures",
    "roll_forward",
    "effective_from",
    "effective_to",
    "verification",
    "basis",
    "uncertain",
    "keep_count",
    "keep_unit",
    "citation",
    "notes",
)


def version_values(version: Any) -> dict[str, Any]:
    values = {name: getattr(version, name, None) for name in VERSION_FIELDS}
    values["authority"] = version.authority.code if version.authority_id else ""
    return values


@dataclass
class Models:
    jurisdiction: Any
    authority: Any
    rule: Any
    version: Any


def _load_rule(
    models: Models, entry: dict[str, Any], overwrite_local: bool, report: LoadReport
) -> None:
    values = {k: v for k, v in entry.items() if k not in ("code", "jurisdiction")}
    digest = fingerprint(values)
    jurisdiction = models.jurisdiction.objects.get(code=entry["jurisdiction"])
    rule, created = models.rule.objects.get_or_create(
        code=entry["code"], defaults={"jurisdiction": jurisdiction}
    )
    if not created and rule.pack_hash == digest:
        report.unchanged.append(rule.code)
        return
    current = models.version.objects.filter(pk=rule.current_id).first()
    if current is not None and current.source == "admin" and not overwrite_local:
        report.kept_local.append(rule.code)
        return
    if current is not None and version_values(current) == values:
        report.unchanged.append(rule.code)
    else:
        authority = (
            models.authority.objects.get(code=values["authority"]) if values["authority"] else None
        )
        # A data migration passes historical models, which may lack fields added later.
        known = {f.name for f in models.version._meta.get_fields()}
        fields = {k: v for k, v in values.items() if k != "authority" and k in known}
        number = (current.number if current is not None else 0) + 1
        version = models.version.objects.create(
            rule=rule,
            number=number,
            authority=authority,
            source="pack",
            change_note="Loaded from the regime pack",
            **fields,
        )
        rule.current = version
        (report.created if created else report.updated).append(rule.code)
    rule.jurisdiction = jurisdiction
    rule.pack_hash = digest
    rule.save()


def load_pack(
    models: Models, pack: Pack | None = None, *, overwrite_local: bool = False
) -> LoadReport:
    """Bring the database in line with the pack, keeping every earlier version."""
    pack = pack or read_pack()
    report = LoadReport()
    for entry in pack.jurisdictions:
        models.jurisdiction.objects.update_or_create(
            code=entry["code"], defaults={k: v for k, v in entry.items() if k != "code"}
        )
    for entry in pack.authorities:
        jurisdiction = models.jurisdiction.objects.get(code=entry["jurisdiction"])
        defaults = {k: v for k, v in entry.items() if k not in ("code", "jurisdiction")}
        models.authority.objects.update_or_create(
            code=entry["code"], defaults={**defaults, "jurisdiction": jurisdiction}
        )
    for entry in pack.rules:
        _load_rule(models, entry, overwrite_local, report)
    return report
