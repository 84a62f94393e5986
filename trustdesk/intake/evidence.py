"""The evidence store: files kept once per SHA-256 under ``MEDIA_ROOT/evidence/aa/bb/<sha>``,
with a small thumbnail for images, and the blurred greyscale rendering shown by default
(DESIGN.md invariant 7).

Files are written before the database rows that point at them. A rolled-back transaction
can leave an unreferenced file behind; since names are hashes, the next delivery of the same
bytes reuses it, and nothing ever points at a half-written file (writes go through a
temporary name and an atomic rename).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from trustdesk.lib.errors import InvalidInput

from . import conf
from .models import EvidenceFile

THUMBNAIL_SIZE = (320, 320)
BLUR_RADIUS = 12
# Formats Pillow may decode here, mapped to the content type they are served as.
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# Decompression bombs are refused rather than decoded.
Image.MAX_IMAGE_PIXELS = 50_000_000

# Higher apps register here (wellbeing, from its AppConfig.ready); intake never imports them.
# on_reveal(user, attachment, category) runs after a reveal is audited; what it returns is
# merged into the reveal's JSON answer. viewing_hooks(user, category) return how this person
# wants evidence and sensitive text shown (CSS classes and flags for the templates).
on_reveal: list[Callable[[Any, Any, Any], dict[str, Any]]] = []
viewing_hooks: list[Callable[[Any, Any], dict[str, Any]]] = []


def revealed(user: Any, attachment: Any, category: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for hook in on_reveal:
        extra.update(hook(user, attachment, category))
    return extra


def viewing(user: Any, category: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for hook in viewing_hooks:
        found.update(hook(user, category))
    return found


@dataclass
class Sniffed:
    content_type: str
    is_image: bool
    width: int | None = None
    height: int | None = None


def sniff(data: bytes, declared: str) -> Sniffed:
    """What the bytes really are. An image is recognised by decoding its header; anything
    else keeps its declared type only if that type is on the allowed list."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            if fmt in IMAGE_TYPES:
                return Sniffed(IMAGE_TYPES[fmt], True, image.width, image.height)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        pass
    declared = (declared or "application/octet-stream").split(";")[0].strip().lower()
    if declared.startswith("image/"):
        # Claims to be an image but is not one we can decode: never served inline.
        return Sniffed("application/octet-stream", False)
    return Sniffed(declared, False)


def check_allowed(filename: str, data: bytes, declared: str) -> Sniffed:
    """Size and type limits, as an ``InvalidInput`` naming the file."""
    limit = conf.max_attachment_bytes()
    if len(data) > limit:
        raise InvalidInput(
            {
                "attachments": f"{filename or 'attachment'} is {len(data):,} bytes; "
                f"the limit is {limit:,} bytes."
            }
        )
    sniffed = sniff(data, declared)
    if sniffed.content_type not in conf.ALLOWED_ATTACHMENT_TYPES:
        raise InvalidInput(
            {
                "attachments": f"{filename or 'attachment'}: type {sniffed.content_type} "
                "is not accepted as evidence."
            }
        )
    return sniffed


def _root() -> Path:
    return Path(settings.MEDIA_ROOT)


def path_of(relative: str) -> Path:
    return _root() / relative


def _write_once(target: Path, data: bytes) -> None:
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o640)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _thumbnail(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG")
    return out.getvalue()


def store(data: bytes, sniffed: Sniffed) -> EvidenceFile:
    """Keep the bytes (once) and return their row, creating it on first sight."""
    sha = hashlib.sha256(data).hexdigest()
    evidence = EvidenceFile.objects.filter(sha256=sha).first()
    if evidence is not None:
        return evidence
    evidence = EvidenceFile(
        sha256=sha,
        size=len(data),
        content_type=sniffed.content_type,
        is_image=sniffed.is_image,
        width=sniffed.width,
        height=sniffed.height,
    )
    _write_once(path_of(evidence.relative_path), data)
    if evidence.is_image:
        _write_once(path_of(evidence.thumbnail_path), _thumbnail(data))
    evidence, _ = EvidenceFile.objects.get_or_create(
        sha256=sha,
        defaults={
            "size": evidence.size,
            "content_type": evidence.content_type,
            "is_image": evidence.is_image,
            "width": evidence.width,
            "height": evidence.height,
        },
    )
    return evidence


def read_original(evidence: EvidenceFile) -> bytes:
    return path_of(evidence.relative_path).read_bytes()


def render_blurred(evidence: EvidenceFile) -> bytes:
    """The default view of an image: its thumbnail, greyscale and strongly blurred, as PNG.
    Built from the thumbnail so the default view never decodes the full original."""
    source = path_of(evidence.thumbnail_path)
    with Image.open(source) as image:
        grey = image.convert("L").filter(ImageFilter.GaussianBlur(BLUR_RADIUS))
        out = io.BytesIO()
        grey.save(out, format="PNG")
    return out.getvalue()
