"""``danvan stats``: what the store holds, and the last runs with their summaries."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from danvan_crawler.config import ConfigError, add_config_arguments, load_config

if TYPE_CHECKING:
    from danvan_crawler.store import Store

EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "stats",
        help="articles per category and sub-site, dates, duplicates, last runs",
        description=__doc__.splitlines()[0],
    )
    add_config_arguments(parser, names=["db"])
    parser.add_argument("--runs", type=int, default=5, metavar="N", help="last N runs (5)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(func=main)


#: Dates published are shown in the portal's time zone.
PORTAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _local(value: datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO 8601 in the portal's time zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(PORTAL_TZ).isoformat()


def gather(store: Store, runs: int) -> dict[str, Any]:
    """The figures ``danvan stats`` prints, from an open store."""
    held = store.contents()
    return {
        "articles": held["articles"],
        "duplicates": held["duplicates"],
        "oldest": _local(held["oldest"]),
        "newest": _local(held["newest"]),
        "sub_sites": held["sub_sites"],
        "categories": [
            {
                "name": row["name"],
                "url": row["url"],
                "subSite": row["sub_site"],
                "articles": row["articles"],
                "duplicates": row["duplicates"],
                "oldest": _local(row["oldest"]),
                "newest": _local(row["newest"]),
            }
            for row in held["categories"]
        ],
        "runs": [
            {
                "run_id": run["run_id"],
                "started_at": _iso(run["started_at"]),
                "finished_at": _iso(run["finished_at"]),
                "status": run["status"],
                "summary": run["summary"],
            }
            for run in store.runs(limit=runs)
        ],
    }


def _date(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "-"


def render(data: dict[str, Any]) -> str:
    lines = [
        f"{data['articles']} articles ({data['duplicates']} marked as duplicates), "
        f"published {_date(data['oldest'])} .. {_date(data['newest'])} (+07:00)",
        "",
        "Sub-sites:",
    ]
    lines += [f"  {row['articles']:>6}  {row['name'] or '(unknown)'}" for row in data["sub_sites"]]
    lines += [
        "",
        "Categories:",
        f"  {'articles':>8}  {'dupes':>5}  {'oldest':<16}  {'newest':<16}  name",
    ]
    for row in data["categories"]:
        lines.append(
            f"  {row['articles']:>8}  {row['duplicates']:>5}  {_date(row['oldest']):<16}  "
            f"{_date(row['newest']):<16}  {row['name'] or row['url']} ({row['subSite'] or '-'})"
        )
    lines += ["", "Last runs:"]
    if not data["runs"]:
        lines.append("  none recorded")
    for run in data["runs"]:
        summary = run["summary"] or {}
        text = None
        if isinstance(summary, dict):  # run's own record, or store.record_run's
            text = summary.get("paragraph") or summary.get("summary")
        lines.append(f"  #{run['run_id']} {_date(run['started_at'])} UTC  {run['status']}")
        if text:
            lines.append(f"      {text}")
        for reason in summary.get("alarm", []) if isinstance(summary, dict) else []:
            lines.append(f"      alarm: {reason}")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    try:
        config = load_config(args)
    except ConfigError as exc:
        print(f"danvan stats: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    db = config["db"]
    if "://" not in db and not Path(db).is_file():
        print(f"danvan stats: error: no store at {db} (see --db)", file=sys.stderr)
        return EXIT_USAGE
    if args.runs < 0:
        print("danvan stats: error: --runs must be >= 0", file=sys.stderr)
        return EXIT_USAGE
    from danvan_crawler.store import open_store

    with open_store(db) as store:
        data = gather(store, args.runs)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print(render(data))
    return 0
