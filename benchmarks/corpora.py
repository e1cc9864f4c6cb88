"""The generic extraction rules on public evaluation corpora, scored the corpora's own way.

``python benchmarks/corpora.py PATH...``: each PATH is the ``tests/`` folder of a clone
(or archive) of trafilatura's or htmldate's repository (or the repository itself); which
corpus it holds is read from its files (``evaldata.json``: trafilatura's;
``eval_default.json`` + ``eval_mediacloud_2020.json``: htmldate's). They are not part of
this repository; to get them (any recent commit)::

    git clone --depth 1 https://github.com/adbar/trafilatura /tmp/trafilatura
    git clone --depth 1 https://github.com/adbar/htmldate /tmp/htmldate
    python benchmarks/corpora.py /tmp/trafilatura/tests /tmp/htmldate/tests

Ours is ``ArticlePage(html, url, profile).extract()`` with the default profile's site
selectors all emptied (``SiteProfile.generic()``): only the generic ladder runs, as on
the day the crawler meets a portal whose markup nobody has seen. Scoring reproduces
each corpus's own code:

- trafilatura (``tests/evaldata.json``, 990 pages): ``tests/eval_common.py``: a page's
  ``with`` snippets found in the output (whitespace-normalized substring) are true
  positives, its ``without`` snippets found are false positives, the rest false
  negatives / true negatives; F1 = 2 TP / (2 TP + FP + FN) over the whole corpus. The
  output scored is ``articleBody``. Reference: ``trafilatura.extract`` with the options
  their ``eval_common.EXTRACT_OPTS`` pins (the "trafilatura" row of their
  ``evaluate.py``). Headline: exact equality with the corpus's ``title`` (pages that
  have one), as their ``eval_authors.py`` scores authors; reference: the ``title`` of
  ``trafilatura.bare_extraction(..., with_metadata=True)``.
- htmldate (``tests/eval_default.json`` + ``tests/eval_mediacloud_2020.json``, 1 000
  pages): ``tests/evaluation.py``: each page decoded as their ``load_document`` does,
  the day (``YYYY-MM-DD``) compared with the corpus's ``date``: equal TP, other FP,
  none FN; F1 as above (``comparison.py``). Ours: ``datePublished``'s day. Reference:
  ``htmldate.find_date(html, original_date=True, extensive_search=True)`` (their
  ``run_htmldate_extensive``).

Targets: body F1 >= 0.92, date F1 >= 0.945, no crash (an exception counts as a miss and
as a crash). Exit status 1 when one is missed; with no PATH (nor ``DANVAN_CORPORA``, a
``:``-separated list of them) the benchmark is skipped with a message, status 0.
``--no-reference`` leaves the libraries' own runs out; ``--dump FILE`` writes one JSON
line per page (what ours gave, what was expected, which fallbacks gave it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import figure
from danvan_crawler.extract import ArticlePage, ArticleResult
from danvan_crawler.profile import SiteProfile, load_profile

BODY_TARGET = 0.92
DATE_TARGET = 0.945
SKIP_MESSAGE = (
    "corpora.py: skipped: no corpus given. Pass the tests/ folders of trafilatura's and "
    "htmldate's repositories (git clone --depth 1 https://github.com/adbar/trafilatura; "
    "the same for adbar/htmldate), as arguments or in DANVAN_CORPORA (':'-separated); "
    "see benchmarks/README.md"
)


@dataclass
class Confusion:
    """Accumulated (tp, fp, fn, tn), as both corpora's scripts count them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, tp: int, fp: int, fn: int, tn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn
        self.tn += tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        denom = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denom if denom else 0.0


@dataclass
class Side:
    """One extractor's results over a corpus."""

    name: str
    scores: Confusion = field(default_factory=Confusion)
    crashes: int = 0
    empty: int = 0  # pages with nothing right (no expected snippet, or no date)
    exact: int = 0  # headlines equal to the corpus's
    exact_total: int = 0
    cpu: float = 0.0
    pages: int = 0
    sources: Counter[str] = field(default_factory=Counter)  # which rung gave the field


# -- scoring, as the corpora's own code does it ----------------------------------------


def norm(text: str) -> str:
    """trafilatura ``eval_common.norm``: whitespace runs to one space, stripped."""
    return re.sub(r"\s+", " ", text).strip()


def count_snippets(item: dict[str, Any], result: str | None) -> tuple[int, int, int, int]:
    """trafilatura ``eval_common.count_item``: (tp, fp, fn, tn) of one page."""
    if isinstance(result, str):
        resn = norm(result)
        tp = sum(1 for w in item["with"] if norm(w) in resn)
        fp = sum(1 for w in item["without"] if norm(w) in resn)
    else:
        tp = fp = 0
    return tp, fp, len(item["with"]) - tp, len(item["without"]) - fp


def count_date(result: str | None, expected: str | None) -> tuple[int, int, int, int]:
    """htmldate ``evaluation.evaluate_result`` (its (tp, fp, tn, fn) reordered to
    (tp, fp, fn, tn))."""
    if result is None:
        return (0, 0, 1, 1) if expected is None else (0, 0, 1, 0)
    return (1, 0, 0, 0) if result == expected else (0, 1, 0, 0)


def load_htmldate_document(path: Path) -> str | bytes:
    """htmldate ``evaluation.load_document``: UTF-8, else the encoding charset_normalizer
    detects, else the bytes."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        pass
    binary = path.read_bytes()
    from charset_normalizer import detect

    guessed = detect(binary)["encoding"]
    if guessed:
        try:
            return binary.decode(guessed)
        except (UnicodeDecodeError, LookupError):
            pass
    return binary


# -- corpora ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    url: str
    path: Path
    item: dict[str, Any]


def corpus_kind(path: Path) -> tuple[str, Path] | None:
    """("trafilatura" | "htmldate", tests folder) of a corpus path, None if neither."""
    for folder in (path, path / "tests"):
        if (folder / "evaldata.json").is_file():
            return "trafilatura", folder
        if (folder / "eval_default.json").is_file() and (
            folder / "eval_mediacloud_2020.json"
        ).is_file():
            return "htmldate", folder
    return None


def pages_of(folder: Path, files: list[str], subdirs: tuple[str, ...]) -> Iterator[Page]:
    data: dict[str, dict[str, Any]] = {}
    for name in files:
        data.update(json.loads((folder / name).read_text(encoding="utf-8")))
    for url, item in data.items():
        for sub in subdirs:
            path = folder / sub / item["file"]
            if path.is_file():
                yield Page(url, path, item)
                break
        else:
            raise FileNotFoundError(f"{url}: {item['file']} not found under {folder}")


def extract_ours(profile: SiteProfile, html: str | bytes, url: str) -> ArticleResult:
    return ArticlePage(html, url, profile).extract()


def timed(side: Side, fn: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    start = time.process_time()
    try:
        return fn(), None
    except Exception as exc:  # a crash is a miss, counted (as the corpora's scripts do)
        side.crashes += 1
        print(f"  {side.name}: {type(exc).__name__}: {exc}", flush=True)
        return None, exc
    finally:
        side.cpu += time.process_time() - start


def run_trafilatura_corpus(
    folder: Path, profile: SiteProfile, reference: bool, dump: TextIO | None
) -> list[Side]:
    pages = sorted(pages_of(folder, ["evaldata.json"], ("cache", "eval")), key=lambda p: p.url)
    ours = Side("ours (generic ladder)")
    sides = [ours]
    if reference:
        from trafilatura import bare_extraction, extract

        theirs = Side("trafilatura.extract")
        sides.append(theirs)
    for n, page in enumerate(pages, 1):
        html = page.path.read_bytes()
        ours.pages += 1
        result, _ = timed(ours, lambda h=html, u=page.url: extract_ours(profile, h, u))
        body = result.fields["articleBody"] if result else None
        if result:
            ours.sources[result.fallbacks.get("articleBody", "profile")] += 1
        counts = count_snippets(page.item, body)
        ours.scores.add(*counts)
        ours.empty += counts[0] == 0
        title = page.item.get("title")
        headline = result.fields["headline"] if result else None
        if title:
            ours.exact_total += 1
            ours.exact += headline == title
        if reference:
            text, _ = timed(
                theirs,
                lambda h=html: extract(
                    h,
                    fast=False,
                    include_comments=False,
                    include_tables=True,
                    include_formatting=False,
                ),
            )
            tcounts = count_snippets(page.item, text)
            theirs.scores.add(*tcounts)
            theirs.empty += tcounts[0] == 0
            if title:
                meta, _ = timed(
                    theirs, lambda h=html: bare_extraction(h, with_metadata=True, fast=False)
                )
                theirs.exact_total += 1
                theirs.exact += getattr(meta, "title", None) == title
        if dump:
            record = {
                "corpus": "trafilatura",
                "url": page.url,
                "file": page.item["file"],
                "counts": counts,
                "headline": headline,
                "title": title,
                "fallbacks": result.fallbacks if result else None,
                "missing_with": [w for w in page.item["with"] if norm(w) not in norm(body or "")],
                "found_without": [w for w in page.item["without"] if norm(w) in norm(body or "")],
            }
            dump.write(json.dumps(record, ensure_ascii=False) + "\n")
        if n % 100 == 0:
            print(f"  trafilatura corpus: {n}/{len(pages)} pages", flush=True)
    return sides


def run_htmldate_corpus(
    folder: Path, profile: SiteProfile, reference: bool, dump: TextIO | None
) -> list[Side]:
    files = ["eval_mediacloud_2020.json", "eval_default.json"]  # their evaluation.py's order
    pages = list(pages_of(folder, files, ("test_set", "cache", "eval")))
    ours = Side("ours (generic ladder)")
    sides = [ours]
    if reference:
        from htmldate import find_date

        theirs = Side("htmldate (extensive)")
        sides.append(theirs)
    for n, page in enumerate(pages, 1):
        html = load_htmldate_document(page.path)
        expected = page.item["date"]
        ours.pages += 1
        result, _ = timed(ours, lambda h=html, u=page.url: extract_ours(profile, h, u))
        published = result.fields["datePublished"] if result else None
        if published and result:
            ours.sources[result.fallbacks.get("datePublished", "profile")] += 1
        day = published[:10] if published else None
        counts = count_date(day, expected)
        ours.scores.add(*counts)
        ours.empty += day is None
        if reference:
            found, _ = timed(
                theirs,
                lambda h=html: find_date(h, original_date=True, extensive_search=True),
            )
            theirs.scores.add(*count_date(found, expected))
            theirs.empty += found is None
        if dump:
            record = {
                "corpus": "htmldate",
                "url": page.url,
                "file": page.item["file"],
                "expected": expected,
                "ours": published,
                "raw": result.fields["datePublishedRaw"] if result else None,
                "fallbacks": result.fallbacks if result else None,
            }
            dump.write(json.dumps(record, ensure_ascii=False) + "\n")
        if n % 100 == 0:
            print(f"  htmldate corpus: {n}/{len(pages)} pages", flush=True)
    return sides


# -- report ----------------------------------------------------------------------------


def report(kind: str, sides: list[Side], pages: int) -> bool:
    """Print the figures (ours, then the reference library); True when ours meets the
    targets."""
    ours = sides[0]
    measure = "body" if kind == "trafilatura" else "date"
    target = BODY_TARGET if kind == "trafilatura" else DATE_TARGET
    print(f"-- {kind}'s corpus: {pages} pages")
    ok = ours.scores.f1 >= target and ours.crashes == 0
    for side in sides:
        mine = side is ours
        figure(
            f"{side.name}: {measure} F1",
            side.scores.f1,
            "",
            f">= {target}" if mine else "",
            (side.scores.f1 >= target) if mine else None,
        )
        figure("  precision", side.scores.precision)
        figure("  recall", side.scores.recall)
        none = "none of the expected text" if kind == "trafilatura" else "no date"
        figure(f"  pages with {none}", side.empty, "pages")
        if side.exact_total:
            figure(
                f"  headline exact ({side.exact_total} pages with a title)",
                100 * side.exact / side.exact_total,
                "%",
            )
        figure(
            "  crashes",
            side.crashes,
            "",
            "0" if mine else "",
            (side.crashes == 0) if mine else None,
        )
        figure("  CPU per page", 1000 * side.cpu / pages, "ms")
        if side.sources:
            rungs = ", ".join(f"{name} {n}" for name, n in side.sources.most_common())
            print(f"  {measure} from: {rungs}", flush=True)
    return ok


def corpus_paths(argv_paths: list[str]) -> list[Path]:
    if argv_paths:
        return [Path(p) for p in argv_paths]
    env = os.environ.get("DANVAN_CORPORA", "")
    return [Path(p) for p in env.split(":") if p]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", metavar="PATH", help="a corpus's tests/ folder")
    parser.add_argument(
        "--no-reference", action="store_true", help="do not run trafilatura / htmldate"
    )
    parser.add_argument("--dump", type=Path, help="one JSON line per page to this file")
    args = parser.parse_args(argv)
    paths = corpus_paths(args.paths)
    if not paths:
        print(SKIP_MESSAGE)
        return 0
    corpora: list[tuple[str, Path]] = []
    for path in paths:
        found = corpus_kind(path)
        if found is None:
            print(
                f"corpora.py: {path}: neither trafilatura's (evaldata.json) nor htmldate's "
                "(eval_default.json, eval_mediacloud_2020.json) tests folder",
                file=sys.stderr,
            )
            return 2
        corpora.append(found)
    profile = load_profile("nghean").generic()
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    ok = True
    try:
        for kind, folder in corpora:
            run = run_trafilatura_corpus if kind == "trafilatura" else run_htmldate_corpus
            sides = run(folder, profile, not args.no_reference, dump)
            ok = report(kind, sides, sides[0].pages) and ok
    finally:
        if dump:
            dump.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
