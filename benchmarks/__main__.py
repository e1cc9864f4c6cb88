"""Run every benchmark: ``python -m benchmarks`` (exit status non-zero if any target is missed).

``python -m benchmarks [NAME ...]`` runs only the named scripts (``crawl`` or ``crawl.py``),
in the order given. A name that is not a benchmark, or an option (scripts take theirs
when run alone: ``python benchmarks/crawl.py --rounds 1``), is a usage error: exit 2
before anything runs, rather than a run with defaults nobody asked for.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = (
    "extract.py",
    "corpora.py",
    "crawl.py",
    "memory.py",
    "incremental.py",
    "publish.py",
    "faults.py",
    "serve.py",
    "fidelity.py",
    "search.py",
)
USAGE = f"usage: python -m benchmarks [NAME ...]   (NAME: {', '.join(s[:-3] for s in SCRIPTS)})"


def wanted_scripts(argv: list[str]) -> list[str]:
    """The scripts named in ``argv`` (all of them when none is); ValueError for the rest."""
    if not argv:
        return list(SCRIPTS)
    names = [a if a.endswith(".py") else f"{a}.py" for a in argv]
    unknown = [a for a, n in zip(argv, names, strict=True) if n not in SCRIPTS]
    if unknown:
        hint = ""
        if any(a.startswith("-") for a in unknown):
            hint = "; a script's options go to the script itself: python benchmarks/NAME.py --help"
        raise ValueError(f"not a benchmark: {' '.join(unknown)}{hint}")
    return names


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip() + "\n\n" + USAGE)
        return 0
    try:
        wanted = wanted_scripts(argv)
    except ValueError as exc:
        print(f"{USAGE}\npython -m benchmarks: {exc}", file=sys.stderr)
        return 2
    failed: list[str] = []
    for name in wanted:
        print(f"== {name}", flush=True)
        rc = subprocess.call([sys.executable, str(HERE / name)], cwd=HERE.parent)
        if rc != 0:
            failed.append(name)
    print("== all targets met" if not failed else f"== missed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
