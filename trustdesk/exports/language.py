"""Which language to address an authority in: the first language of its market that we have
templates for, else English."""

from __future__ import annotations

from trustdesk.regulatory.models import RegulatoryRequest
from trustdesk.taxonomy.models import Market

# Template language -> the ISO 639-1 codes it serves. Portuguese letters are written in
# Brazilian Portuguese.
LANGUAGES = {"en": "English", "es": "Español", "pt-BR": "Português (Brasil)"}
_BY_ISO = {"en": "en", "es": "es", "pt": "pt-BR"}


def authority_language(request: RegulatoryRequest) -> str:
    market = Market.objects.filter(code=request.jurisdiction.code.upper()).first()
    for code in market.languages if market else []:
        if code in _BY_ISO:
            return _BY_ISO[code]
    return "en"
