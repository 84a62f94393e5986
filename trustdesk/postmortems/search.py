"""Finding past post-mortems: search by words, factors, markets, categories and status, and
"similar past incidents" for an incident being worked.

Both start from ``PostMortem.objects.visible_to``: a post-mortem whose incident the reader
may not see never appears, not even as a redacted row. Matching uses the lower-cased
``search_text`` each post-mortem keeps, so it behaves the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.incidents.models import Incident

from .lifecycle import ACTION_OPEN, ActionStatus
from .models import ActionItem, PostMortem, PostMortemQuerySet

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words too common in write-ups to tell two post-mortems apart.
# fmt: off
_STOP = frozenset({
    "the", "and", "for", "with", "from", "that", "this", "was", "were", "are", "has", "have",
    "had", "not", "but", "its", "into", "over", "our", "out", "who", "what", "when", "where",
    "why", "how", "all", "any", "can", "did", "does", "been", "being", "they", "them", "their",
    "there", "then", "than", "also", "just", "more", "most", "some", "such", "very", "via",
    "per", "off", "incident", "post", "mortem", "postmortem",
})
# fmt: on
MAX_QUERY_WORDS = 8


def _stem(word: str) -> str:
    # Plural and past forms match their stem as a substring ("challenges" -> "challenge").
    for suffix in ("ies", "es", "s", "ed", "ing"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    words = (w for w in _WORD.findall((text or "").lower()) if len(w) >= 3)
    return [_stem(w) for w in words if w not in _STOP and not w.isdigit()]


@dataclass
class Filters:
    q: str = ""
    status: str = ""
    factor: str = ""
    market: str = ""
    category: str = ""


def _with_list_data(queryset: PostMortemQuerySet) -> PostMortemQuerySet:
    """Everything a result row shows, in a fixed number of queries whatever the page size."""
    return (
        queryset.select_related("incident__category", "author")
        .annotate(
            items_total=Count(
                "action_items", filter=~Q(action_items__status=ActionStatus.CANCELLED)
            ),
            items_done=Count("action_items", filter=Q(action_items__status=ActionStatus.DONE)),
        )
        .prefetch_related("incident__markets", "factor_links__factor")
    )


def search(user: User, filters: Filters) -> PostMortemQuerySet:
    """Post-mortems the user may see that match every word and every filter, newest first."""
    queryset = PostMortem.objects.visible_to(user)
    for word in tokens(filters.q)[:MAX_QUERY_WORDS]:
        queryset = queryset.filter(search_text__contains=word)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.factor:
        queryset = queryset.filter(factor_links__factor__code=filters.factor)
    if filters.market:
        queryset = queryset.filter(incident__markets__code=filters.market.upper())
    if filters.category:
        queryset = queryset.filter(
            Q(incident__category__code=filters.category)
            | Q(incident__category__slug=filters.category)
        )
    return _with_list_data(queryset.order_by("-published_at", "-created_at", "-id"))


# --- similar past incidents --------------------------------------------------------------

CANDIDATES = 300
WEIGHTS = {"text": 0.55, "category": 0.3, "markets": 0.15}
# Below this nothing but a stray word is shared: not worth a responder's attention.
THRESHOLD = 0.1


@dataclass
class Match:
    postmortem: PostMortem
    score: float
    same_category: bool
    shared_markets: list[str]
    shared_words: list[str]
    open_items: list[ActionItem] = field(default_factory=list)


def _incident_text(incident: Incident) -> str:
    keywords = " ".join(k.name for k in incident.keywords.all())
    return f"{incident.title}\n{incident.summary}\n{keywords}"


def _tfidf(docs: list[list[str]]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors; IDF from the documents compared, smoothed."""
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(doc))
    n = len(docs)
    vectors = []
    for doc in docs:
        counts = Counter(doc)
        vector = {
            t: (1 + math.log(c)) * (math.log((n + 1) / (df[t] + 1)) + 1) for t, c in counts.items()
        }
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors.append({t: v / norm for t, v in vector.items()})
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def _candidates(incident: Incident, user: User, words: list[str]) -> list[PostMortem]:
    market_ids = [m.pk for m in incident.markets.all()]
    common = Q(incident__category_id=incident.category_id) | Q(incident__markets__in=market_ids)
    for word in sorted(set(words), key=len, reverse=True)[:10]:
        common |= Q(search_text__contains=word)
    open_items = ActionItem.objects.filter(status__in=ACTION_OPEN).select_related(
        "owner", "owner_team", "factor__factor"
    )
    queryset = (
        PostMortem.objects.visible_to(user)
        .published()
        .exclude(incident=incident)
        .filter(pk__in=PostMortem.objects.filter(common).values("pk"))
        .select_related("incident__category")
        .prefetch_related(
            "incident__markets", Prefetch("action_items", open_items, to_attr="open_items")
        )
        .order_by("-published_at", "-id")
    )
    return list(queryset[:CANDIDATES])


def similar(incident: Incident, user: User, *, limit: int = 5) -> list[Match]:
    """Published post-mortems of incidents like this one, best first: the same category, the
    same markets, and words in common (TF-IDF cosine over the write-ups)."""
    words = tokens(_incident_text(incident))
    candidates = _candidates(incident, user, words)
    if not candidates:
        return []
    vectors = _tfidf([words, *(tokens(pm.search_text) for pm in candidates)])
    markets = {m.code for m in incident.markets.all()}
    matches = []
    for pm, vector in zip(candidates, vectors[1:], strict=True):
        theirs = {m.code for m in pm.incident.markets.all()}
        overlap = len(markets & theirs) / len(markets | theirs) if markets | theirs else 0.0
        same_category = pm.incident.category_id == incident.category_id
        text = _cosine(vectors[0], vector)
        score = (
            WEIGHTS["text"] * text
            + WEIGHTS["category"] * same_category
            + WEIGHTS["markets"] * overlap
        )
        if score < THRESHOLD:
            continue
        shared = sorted(set(vectors[0]) & set(vector), key=lambda t: -vectors[0][t] * vector[t])
        matches.append(
            Match(
                postmortem=pm,
                score=round(score, 3),
                same_category=same_category,
                shared_markets=sorted(markets & theirs),
                shared_words=shared[:6],
                open_items=list(getattr(pm, "open_items", [])),
            )
        )
    # Stable: equal scores keep the candidates' newest-first order.
    matches.sort(key=lambda m: m.score, reverse=True)
    return matches[:limit]


# --- overdue action items -------------------------------------------------------------------

OVERDUE_SHOWN = 200


def overdue_by_owner(user: User) -> list[tuple[str, list[ActionItem]]]:
    """Overdue action items of post-mortems the user may see, grouped by owner, the
    busiest owner first."""
    items = (
        ActionItem.objects.visible_to(user)
        .overdue(timezone.now().date())
        .select_related("owner", "owner_team", "postmortem__incident", "factor__factor")
        .order_by("due_on", "id")[:OVERDUE_SHOWN]
    )
    groups: dict[str, list[ActionItem]] = defaultdict(list)
    for item in items:
        groups[item.owner_label].append(item)
    return sorted(groups.items(), key=lambda group: (-len(group[1]), group[0]))
