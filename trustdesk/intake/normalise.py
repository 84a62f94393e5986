"""Turning what a channel says into trustdesk's vocabulary: market, language, category, and
the canonical form of URLs and content ids that deduplication compares."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import phonenumbers

from trustdesk.taxonomy.models import Category, Keyword, Market

DATA_DIR = Path(__file__).resolve().parent / "data"

# Query parameters that say how someone arrived, not what they looked at.
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "igshid", "si", "feature", "ref", "ref_src", "share_id", "mc_cid"}
)
_HOST_PREFIXES = ("www.", "m.", "mobile.")
_LOCALE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{4}))?(?:[-_]([a-zA-Z]{2}|\d{3}))?")


@cache
def channel_labels() -> dict[str, dict[str, str]]:
    with (DATA_DIR / "channel_labels.json").open(encoding="utf-8") as fh:
        data: dict[str, dict[str, str]] = json.load(fh)
    data.pop("_about", None)
    return data


@dataclass
class Taxonomy:
    """The taxonomy rows one intake call needs, loaded once per call (a few hundred rows)
    rather than cached in the process, so an edit in the admin is seen at once."""

    markets: dict[str, Market]
    categories: dict[str, Category]
    keywords: dict[str, Keyword]

    @classmethod
    def load(cls) -> Taxonomy:
        categories: dict[str, Category] = {}
        for category in Category.objects.all():
            categories[category.code] = category
            categories[category.slug] = category
        return cls(
            markets={m.code: m for m in Market.objects.all()},
            categories=categories,
            keywords={k.code: k for k in Keyword.objects.all()},
        )


@dataclass
class MarketHints:
    market: str = ""
    country: str = ""
    phone: str = ""
    locale: str = ""
    jurisdiction: str = ""


def market_from_phone(phone: str) -> str:
    """The ISO region of an international phone number (``+55 11 …`` -> ``BR``)."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.region_code_for_number(number) or ""


def split_locale(locale: str) -> tuple[str, str]:
    """``pt_BR`` / ``pt-BR`` / ``zh-Hant-TW`` -> (language, region)."""
    match = _LOCALE.match((locale or "").strip())
    if not match:
        return "", ""
    language, _script, region = match.groups()
    country = region.upper() if region and region.isalpha() else ""
    return language.lower(), country


def resolve_market(hints: MarketHints, markets: dict[str, Market]) -> tuple[Market | None, str]:
    """The market and which hint gave it. Order: explicit market, country code, phone prefix,
    locale, then the regulator's jurisdiction. An explicit market we do not know is an error
    the caller reports; weaker hints that lead nowhere are skipped."""
    candidates = (
        ("market", hints.market.strip().upper()),
        ("country", hints.country.strip().upper()),
        ("phone", market_from_phone(hints.phone) if hints.phone.strip() else ""),
        ("locale", split_locale(hints.locale)[1]),
        ("jurisdiction", hints.jurisdiction.strip().upper()),
    )
    for source, code in candidates:
        if code and code in markets:
            return markets[code], source
    return None, ""


def resolve_language(explicit: str, locale: str, market: Market | None) -> str:
    """Explicit language, else the locale's; a market with one language implies it."""
    language = (explicit or "").strip().lower().replace("_", "-")
    if language:
        return language[:16]
    from_locale = split_locale(locale)[0]
    if from_locale:
        return from_locale
    if market is not None and len(market.languages) == 1:
        return str(market.languages[0])
    return ""


def _label_key(label: str) -> str:
    return re.sub(r"[\s\-/]+", "_", label.strip().lower())


def resolve_category(
    *, category: str, label: str, channel: str, categories: dict[str, Category]
) -> Category | None:
    """An explicit DSA code or slug, else the channel's label mapped through the shipped
    table (the channel's own entries first, then the shared ones)."""
    if category:
        return categories.get(category.strip()) or categories.get(category.strip().upper())
    if not label:
        return None
    tables = channel_labels()
    key = _label_key(label)
    code = tables.get(channel, {}).get(key) or tables["*"].get(key)
    return categories.get(code) if code else None


_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/:@!$&'()*+,;=\-._~]*")


def normalise_url(url: str) -> str:
    """The form two links to the same content share: no scheme, lower-case host without
    ``www.``/``m.``, no default port, no fragment, no tracking parameters, sorted query,
    no trailing slash."""
    raw = url.strip()
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    port = parts.port
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path
    if not _PLAIN_PATH.fullmatch(path):
        # Escapes and unsafe characters in one canonical form (the common plain path is
        # already in it).
        path = quote(unquote(path), safe=_PATH_SAFE)
    path = path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = ""
    if parts.query:
        query = urlencode(
            sorted(
                (k, v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS
            )
        )
    return urlunsplit(("", host, path, query, "")).lstrip("/")


def _digest(value: str) -> str:
    return hashlib.blake2b(value.encode("utf-8"), digest_size=20).hexdigest()


def content_key(*, url: str = "", content_id: str = "") -> str:
    """The exact-duplicate key of a content item. A platform content id wins over a URL
    when both are given: it survives link shorteners and share parameters."""
    if content_id.strip():
        return _digest("id:" + content_id.strip())
    if url.strip():
        return _digest("url:" + normalise_url(url))
    return ""


def account_key(account_id: str) -> str:
    return _digest("acct:" + account_id.strip().lower()) if account_id.strip() else ""
