"""Measure the redactor on the labelled comment sets: recall, over-redaction, time, memory.

    python bench/redaction_bench.py                # both sets, with and without a list
    python bench/redaction_bench.py --misses tuning  # print what the redactor missed (tuning only)

For each set it prints recall per kind of planted detail with NO names listed and with the
facilitator's list (the comment's own names plus three others), the share of other words
hidden, the memory the redactor takes when loaded (in a fresh process) and the median time
for a 300-character comment. The held-out set was written before any tuning; its misses
are not printed, so that it stays held out.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workshop.domain.redaction import Redactor  # noqa: E402

DATA = ROOT / "tests" / "data"
SETS = {"tuning": DATA / "redaction_tuning.jsonl", "heldout": DATA / "redaction_heldout.jsonl"}
_WORD = re.compile(r"\w+")


def load(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _occurrences(text: str, span: str) -> list[tuple[int, int]]:
    before = r"(?<!\w)" if span[0].isalnum() else ""
    after = r"(?!\w)" if span[-1].isalnum() else ""
    hits = [m.span() for m in re.finditer(before + re.escape(span) + after, text)]
    return hits or [m.span() for m in re.finditer(re.escape(span), text)]


def score(rows: list[dict[str, object]], use_list: bool) -> dict[str, object]:
    """Recall per kind (a detail counts as hidden only if every character of it is) and
    over-redaction (words outside any planted detail that were hidden, at least in part)."""
    per_kind: dict[str, list[int]] = {}
    ordinary = over = 0
    misses: list[tuple[str, str, str]] = []
    wrong: list[tuple[str, str]] = []
    for row in rows:
        text = str(row["text"])
        names = [str(n) for n in row["names"]] if use_list else []  # type: ignore[attr-defined]
        result = Redactor(names).redact(text)
        covered = [False] * len(text)
        for f in result.findings:
            covered[f.start : f.end] = [True] * (f.end - f.start)
        in_span = [False] * len(text)
        for span in row["spans"]:  # type: ignore[attr-defined]
            for start, end in _occurrences(text, span["text"]):
                in_span[start:end] = [True] * (end - start)
                hit = all(covered[start:end])
                counts = per_kind.setdefault(span["kind"], [0, 0])
                counts[0] += hit
                counts[1] += 1
                if not hit:
                    misses.append((span["kind"], span["text"], text))
        for m in _WORD.finditer(text):
            if any(in_span[m.start() : m.end()]):
                continue
            ordinary += 1
            if any(covered[m.start() : m.end()]):
                over += 1
                wrong.append((m.group(), text))
    hit = sum(v[0] for v in per_kind.values())
    total = sum(v[1] for v in per_kind.values())
    return {
        "recall": hit / total,
        "hidden": hit,
        "planted": total,
        "per_kind": {k: (v[0], v[1]) for k, v in sorted(per_kind.items())},
        "over": over / ordinary,
        "over_words": over,
        "ordinary_words": ordinary,
        "misses": misses,
        "wrong": wrong,
    }


def comment_300(rows: list[dict[str, object]]) -> list[str]:
    """Comments of about 300 characters, made by joining consecutive comments."""
    texts = [str(r["text"]) for r in rows]
    out, cur = [], ""
    for t in texts:
        cur = f"{cur} {t}".strip()
        if len(cur) >= 300:
            out.append(cur[:300])
            cur = ""
    return out


def timing(rows: list[dict[str, object]]) -> float:
    """Median milliseconds to redact one 300-character comment (no list)."""
    r = Redactor()
    samples = comment_300(rows)
    for s in samples:
        r.redact(s)
    times = []
    for _ in range(5):
        for s in samples:
            t0 = time.perf_counter()
            r.redact(s)
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


_MEMORY = """
import sys, time
sys.path.insert(0, {root!r})
def rss():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
import workshop  # the app package itself, so that only the redactor is measured below
before = rss()
t0 = time.perf_counter()
from workshop.domain.redaction import Redactor
Redactor().redact("warm up: my son tyler, 07700 900123")
print(rss() - before, rss(), (time.perf_counter() - t0) * 1000)
"""


def memory() -> tuple[float, float, float]:
    """(resident MB the redactor adds when loaded, resident MB of the whole process, load ms),
    measured in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY.format(root=str(ROOT))], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", choices=["tuning"], help="print the misses and over-redactions of a set")
    args = parser.parse_args()
    if args.misses:
        s = score(load(SETS[args.misses]), use_list=False)
        for kind, span, text in s["misses"]:  # type: ignore[attr-defined]
            print(f"MISS {kind:8} {span!r:30} {text}")
        for word, text in s["wrong"]:  # type: ignore[attr-defined]
            print(f"OVER {word!r:20} {text}")
        return
    load_mb, rss_mb, load_ms = memory()
    print(
        f"memory: loading the redactor adds {load_mb:.1f} MB resident ({rss_mb:.1f} MB for the whole process); loads in {load_ms:.0f} ms"
    )
    for name, path in SETS.items():
        rows = load(path)
        print(f"\n== {name}: {len(rows)} comments ==")
        for use_list in (False, True):
            s = score(rows, use_list)
            label = "with list" if use_list else "no list  "
            print(
                f"{label}: recall {s['hidden']}/{s['planted']} = {s['recall']:.3f}; "
                f"other words hidden {s['over_words']}/{s['ordinary_words']} = {s['over']:.4f}"
            )
            print("   " + ", ".join(f"{k} {h}/{t} ({h / t:.0%})" for k, (h, t) in s["per_kind"].items()))  # type: ignore[attr-defined]
        print(f"median time, 300-character comment: {timing(rows):.3f} ms")


if __name__ == "__main__":
    main()
