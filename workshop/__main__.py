"""``python -m workshop``: the same as ``python run.py`` (see ``workshop.serve``)."""

from .serve import main

main()
