"""QR codes as inline SVG (vector, crisp on a projector, no image request)."""

from __future__ import annotations

import html
import io
import re

import qrcode
import qrcode.image.svg


def qr_svg(data: str, *, title: str = "QR code to join") -> str:
    """Return an SVG QR code for ``data`` with an accessible title."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, image_factory=qrcode.image.svg.SvgPathFillImage
    )
    qr.add_data(data)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image().save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    svg = re.sub(r"<\?xml[^>]*>\s*", "", svg)
    safe_title = html.escape(title, quote=True)
    # Give the drawing a role and a name for screen readers, and let CSS size it.
    svg = re.sub(r"<svg ", f'<svg role="img" aria-label="{safe_title}" focusable="false" ', svg, count=1)
    svg = re.sub(r'\s(width|height)="[^"]*mm"', "", svg, count=2)
    return svg
