"""The post-mortem as a printable page, Markdown and PDF. Each one reads through
``document.build``, which refuses (404) anyone who may not see the incident, and each
download is an audited read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from trustdesk.core.http import AuthedRequest

from .. import access, document, markdown


def _filename(doc: document.Document, extension: str) -> str:
    slug = slugify(doc.pm.title)[:60] or "post-mortem"
    return f"{doc.pm.ref}-{slug}.{extension}"


@login_required
@require_GET
def printable(request: AuthedRequest, pk: int) -> HttpResponse:
    doc = document.build(access.get_for_user(request.user, pk), request.user)
    return render(request, "postmortems/document.html", {"doc": doc, "pdf": False})


@login_required
@require_GET
def as_markdown(request: AuthedRequest, pk: int) -> HttpResponse:
    doc = document.build(access.get_for_user(request.user, pk), request.user)
    document.record_export(request.user, doc, "markdown")
    response = HttpResponse(markdown.render(doc), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(doc, "md")}"'
    return response


@login_required
@require_GET
def as_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    # WeasyPrint is imported on the first PDF, not by every process that loads the URLs.
    from .. import pdf

    doc = document.build(access.get_for_user(request.user, pk), request.user)
    document.record_export(request.user, doc, "pdf")
    response = HttpResponse(pdf.render(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(doc, "pdf")}"'
    return response
