"""How sensitive material is shown to one person: their preference for the category (or
their default), raised to the organisation's minimum for it. Intake asks through its
``viewing_hooks`` list and gets plain classes and flags back."""

from __future__ import annotations

from dataclasses import dataclass

from trustdesk.accounts.models import User
from trustdesk.taxonomy.models import Category

from .models import BlurLevel, OrgPolicy, ViewingPreference


@dataclass(frozen=True)
class Viewing:
    blur_level: int
    greyscale: bool
    mute_video: bool
    pause_video: bool
    collapse_text: bool

    @property
    def media_class(self) -> str:
        classes = ["wb-media", f"wb-blur-{self.blur_level}"]
        if self.greyscale:
            classes.append("wb-grey")
        return " ".join(classes)


def _preference(user: User, category: Category | None) -> ViewingPreference:
    rows = {
        p.category_id: p
        for p in ViewingPreference.objects.filter(user=user).filter(
            category__in=[category] if category else []
        )
        | ViewingPreference.objects.filter(user=user, category__isnull=True)
    }
    found = rows.get(category.pk if category else None) or rows.get(None)
    # Unsaved defaults: everything protected; text collapsed only for sensitive categories.
    return found or ViewingPreference(
        user=user, collapse_text=bool(category and category.sensitive)
    )


def effective(user: User, category: Category | None) -> Viewing:
    """The person's viewing for ``category``, never below the organisation's minimum."""
    pref = _preference(user, category)
    policy = OrgPolicy.objects.filter(category=category).first() if category else None
    if policy is None:
        policy = OrgPolicy(min_blur_level=BlurLevel.LIGHT)
    return Viewing(
        blur_level=max(pref.blur_level, policy.min_blur_level),
        greyscale=pref.greyscale or policy.require_greyscale,
        mute_video=pref.mute_video or policy.require_muted_video,
        pause_video=pref.pause_video or policy.require_paused_video,
        collapse_text=pref.collapse_text or policy.require_collapsed_text,
    )
