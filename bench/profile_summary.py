"""Summarise a py-spy raw (collapsed-stack) profile: ``python bench/profile_summary.py FILE [--top 30] [--grep S]``.

Prints the frames with the largest inclusive share of samples (time spent in them and below),
then the largest self share, skipping samples of an idle gevent hub (waiting for I/O).
"""

from __future__ import annotations

import argparse
from collections import Counter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--grep", default="", help="only frames containing this text")
    args = parser.parse_args()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = idle = 0
    with open(args.file) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            n = int(count)
            frames = stack.split(";")
            if "idle" in frames[-1] or frames[-1].startswith("run (gevent/hub.py") or "wait (gevent" in frames[-1]:
                idle += n
            total += n
            for frame in set(frames):
                inclusive[frame] += n
            own[frames[-1]] += n
    busy = max(1, total - idle)
    print(f"{total} samples, {idle} idle ({idle / max(1, total):.0%}); shares below are of all samples")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"\n-- top {args.top} by {title} --")
        shown = 0
        for frame, n in counter.most_common():
            if args.grep and args.grep not in frame:
                continue
            print(f"{n / total:6.1%}  {frame}")
            shown += 1
            if shown >= args.top:
                break
    del busy


if __name__ == "__main__":
    main()
