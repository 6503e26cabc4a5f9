"""Consent and concern records and their exports, for a consultation's facilitators: ``/f/c/<id>/record...``.

One record, four renderings: the routes build the record once through ``services.records``
and render it with ``web.rendering`` (JSON, CSV and the PDF, the same as the ``export``
command) or the report template (the web page). The blueprint is one audience's adapter in
several modules: ``record`` (overview, report, downloads, finalising and publishing) and
``register`` (the conditions register), with their forms in ``forms``. The "you said, we did"
page for the public is a blueprint of its own, ``web.public``.
"""

from __future__ import annotations

# Imported for their routes: each module adds its views to ``bp`` as it is imported.
from . import record, register  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
