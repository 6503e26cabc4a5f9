"""Rebuild the Welsh catalogue: extract participant strings, fill them from cy_strings, compile.

Run from the repository root: ``python -m workshop.translations.build``. It prints any
English string that has no Welsh yet (and exits 1), so nothing ships half-translated.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .cy_strings import CY

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def extract(pot: Path) -> None:
    """Extract the participant-facing strings into a .pot file (the tests use the same call)."""
    subprocess.run(  # noqa: S603 - fixed arguments, our own files
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "N_",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(pot),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )


def main() -> int:
    pot = HERE / "messages.pot"
    extract(pot)
    with pot.open("rb") as fh:
        catalog = read_po(fh, locale="cy")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if not isinstance(message.id, str):
            # Fill every plural form the locale has (Welsh has six); the last English form covers the rest.
            forms = [CY.get(i, "") for i in message.id]
            message.string = tuple(forms[min(n, len(forms) - 1)] if n else forms[0] for n in range(catalog.num_plurals))
            missing += [i for i in message.id if i not in CY]
        else:
            message.string = CY.get(message.id, "")
            if message.id not in CY:
                missing.append(message.id)
    out = HERE / "cy" / "LC_MESSAGES"
    out.mkdir(parents=True, exist_ok=True)
    with (out / "messages.po").open("wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True, no_location=True)
    with (out / "messages.mo").open("wb") as fh:
        write_mo(fh, catalog)
    for text in missing:
        sys.stderr.write(f"no Welsh yet: {text!r}\n")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
