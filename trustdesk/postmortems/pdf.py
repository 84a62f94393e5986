"""The post-mortem as PDF, rendered by WeasyPrint from the printable page's template.

Fonts are DejaVu from Debian's fonts-dejavu-core, found through fontconfig. Nothing is
fetched while rendering: the document holds text people wrote, and a crafted link in it
must never make the server request a URL or read a file.
"""

from __future__ import annotations

import logging

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from .document import Document

STYLESHEET = "trustdesk/postmortems-print.css"

# WeasyPrint narrates every rendering step at INFO; only its warnings are worth a log line.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class _NoFetching(URLFetcher):
    def fetch(self, url: str, headers: object = None) -> object:
        raise ValueError(f"not fetched while rendering a PDF: {url[:80]}")


def render(doc: Document) -> bytes:
    html = render_to_string("postmortems/document.html", {"doc": doc, "pdf": True})
    stylesheet = finders.find(STYLESHEET)
    assert isinstance(stylesheet, str), f"{STYLESHEET} is missing from the static files"
    fetcher = _NoFetching()
    pdf = HTML(string=html, base_url="", url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(filename=stylesheet, url_fetcher=fetcher)]
    )
    assert pdf is not None
    return pdf
