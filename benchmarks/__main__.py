"""Run every benchmark: ``python -m benchmarks`` (exit status non-zero if any target is missed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("extract.py", "crawl.py", "memory.py", "incremental.py", "publish.py", "faults.py")


def main(argv: list[str]) -> int:
    wanted = [a if a.endswith(".py") else f"{a}.py" for a in argv] or list(SCRIPTS)
    failed: list[str] = []
    for name in wanted:
        script = HERE / name
        if not script.exists():
            print(f"== {name}: not present, skipped", flush=True)
            continue
        print(f"== {name}", flush=True)
        rc = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        if rc != 0:
            failed.append(name)
    print("== all targets met" if not failed else f"== missed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
