"""Accessible SVG bar charts, drawn from a released tally: the same drawing on the projector and in the PDF.

The SVG has role="img", a title and a description that reads out every count, and the
page shows the same numbers as a table, so nothing depends on seeing the bars.

A chart is drawn only from a :class:`~workshop.domain.release.Released` value, never from a
raw tally: while fewer than k people have answered there is nothing to draw (``""``), so no
screen can show bars of two or three people's answers by calling this.
"""

from __future__ import annotations

from html import escape

from .release import Released


def describe(released: Released) -> str:
    """Return the chart's numbers as one plain sentence (or why there are none)."""
    tally = released.tally
    if tally is None:
        if released.answered == 0:
            return "No answers yet."
        return f"{released.answered_display.capitalize()} people answered, so the answers are not shown."
    parts = [f"{o.label}: {o.count}" for o in tally.options]
    people = "person" if tally.answered == 1 else "people"
    extra = " People could choose more than one." if tally.multiple else ""
    return f"{tally.answered} {people} answered. " + "; ".join(parts) + "." + extra


def bar_chart_svg(released: Released, title: str, *, width: int = 800, row: int = 56, chart_id: str = "chart") -> str:
    """Draw horizontal bars, one per option, labelled with their counts; nothing while they are hidden."""
    tally = released.tally
    if tally is None:
        return ""
    label_w, pad = int(width * 0.45), 12
    bar_w = width - label_w - 90
    top = max((o.count for o in tally.options), default=0) or 1
    height = row * max(1, len(tally.options)) + pad
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" class="cg-chart__svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(describe(released))}</desc>',
    ]
    for n, option in enumerate(tally.options):
        y = pad + n * row
        length = round(bar_w * option.count / top)
        lines = _wrap(option.label, 30)
        if len(lines) == 1:
            out.append(
                f'<text x="0" y="{y + row * 0.55:.0f}" font-size="22" fill="currentColor">{escape(lines[0])}</text>'
            )
        else:
            out.append(
                f'<text x="0" y="{y + row * 0.36:.0f}" font-size="19" fill="currentColor">'
                f'<tspan x="0">{escape(lines[0])}</tspan>'
                f'<tspan x="0" dy="21">{escape(lines[1])}</tspan></text>'
            )
        out.append(
            f'<rect class="cg-chart__track" x="{label_w}" y="{y + 8}" width="{bar_w}" height="{row - 22}" fill="#e8f0ef"/>'
        )
        if length:
            out.append(
                f'<rect class="cg-chart__bar" x="{label_w}" y="{y + 8}" width="{length}" height="{row - 22}" fill="#00625e"/>'
            )
        out.append(
            f'<text x="{label_w + bar_w + 12}" y="{y + row * 0.55:.0f}" font-size="24" font-weight="bold" '
            f'fill="currentColor">{option.count}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _wrap(label: str, width: int) -> list[str]:
    """Split a label over at most two lines of about ``width`` characters, ending with … if cut."""
    if len(label) <= width:
        return [label]
    words, first = label.split(), ""
    while words and len(first) + len(words[0]) + (1 if first else 0) <= width:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one very long word
        first, words = label[:width], [label[width:]]
    rest = " ".join(words)
    if len(rest) > width:
        rest = rest[: width - 1].rstrip() + "…"
    return [first, rest]
