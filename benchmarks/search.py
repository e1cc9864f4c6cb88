"""Search: the FTS5 index against a LIKE scan of the folded text, on 100 000 articles.

Writes 100 000 synthetic Vietnamese articles (a Zipf-weighted vocabulary: portal
words first, then 5 000 syllables made of their onsets and rhymes; tone marks and
old/new tone placement mixed, place names, official documents and
set phrases at realistic rates; generated in a few seconds, not cached) into one SQLite
store, builds the search index with the store's own code
(:func:`danvan_crawler.store.search.rebuild`, timed), and a table of the folded texts
(:func:`~danvan_crawler.vietnamese.search_fold` of headline, lead and body) for the
baseline. Then, in the same run, for each query of :data:`QUERIES` (what people type:
places, phrases, document numbers, names, with and without tone marks):

- FTS: :func:`danvan_crawler.store.search.search` (ranked by bm25, snippets, the
  records read), best 20, ``REPEATS`` times each;
- LIKE: the same words as ``LIKE '%word%'`` over the folded text, every match ordered
  by date, best 20 (what a store without the index would do), once each.

Target: FTS query p95 at least 50 x faster than the LIKE scan's p95. Exit 1 if missed.
``--articles N`` for a quick run.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import figure
from danvan_crawler.store import open_store
from danvan_crawler.store import search as store_search
from danvan_crawler.store.search import sqlite as search_sqlite
from danvan_crawler.vietnamese import search_fold

ARTICLES = 100_000
REPEATS = 5
LIMIT = 20
TARGET_RATIO = 50.0
SEED = 25

#: Portal words, most frequent first (weights follow Zipf's law over this order).
WORDS = (
    "và của các là trong cho được với có đã những người này theo tại để cùng một"
    " công tác dân vận cán bộ đảng viên nhân dân chính quyền cơ sở tỉnh huyện xã"
    " đồng chí phong trào thực hiện triển khai kế hoạch nhiệm vụ kết quả năm tháng"
    " tổ chức hội nghị tuyên truyền vận động mặt trận tổ quốc đoàn thể hội nông dân"
    " phụ nữ cựu chiến binh thanh niên công đoàn ban thường vụ chi bộ đảng bộ"
    " nghị quyết chỉ thị kết luận quy chế hướng dẫn sơ kết tổng kết khen thưởng"
    " điển hình mô hình cách làm hay sáng tạo xây dựng nông thôn mới đô thị văn minh"
    " giảm nghèo bền vững an sinh xã hội giáo dục y tế văn hóa du lịch kinh tế"
    " hợp tác xã doanh nghiệp đầu tư hạ tầng giao thông thủy lợi đồng bào dân tộc"
    " thiểu số miền núi biên giới tôn giáo tín ngưỡng đoàn kết đồng thuận niềm tin"
    " trách nhiệm học tập làm theo tư tưởng đạo đức phong cách hồ chí minh"
    " lãnh đạo chỉ đạo kiểm tra giám sát đối thoại tiếp xúc cử tri phản ánh kiến nghị"
    " giải quyết khiếu nại tố cáo hòa giải an ninh trật tự quốc phòng lực lượng"
    " vũ trang bảo vệ môi trường chuyển đổi số cải cách hành chính dịch vụ công"
    " trực tuyến sản xuất nông nghiệp chăn nuôi trồng trọt thu nhập người dân"
    " đời sống vật chất tinh thần gia đình khu dân cư thôn bản làng tổ dân phố"
)
_ONSET_RE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?(.+)")


def vocabulary(seed: int = SEED, extra: int = 5000) -> list[str]:
    """The portal words first, then ``extra`` other syllables made of their onsets and
    rhymes (Vietnamese-shaped, tone marks included) in a seeded order: a vocabulary of
    the size of real text, so that a rare word is as rare as in real text."""
    words = list(dict.fromkeys(WORDS.split()))
    parts = [_ONSET_RE.fullmatch(w) for w in words]
    onsets = sorted({m.group(1) or "" for m in parts if m})
    rhymes = sorted({m.group(2) for m in parts if m})
    known = set(words)
    others = [o + r for o in onsets for r in rhymes if o + r not in known]
    random.Random(seed).shuffle(others)
    return words + others[:extra]


WORD_LIST = vocabulary()
#: Localities of Nghệ An (former district names and towns).
PLACE_NAMES = (
    "Quỳnh Lưu", "Diễn Châu", "Yên Thành", "Đô Lương", "Nam Đàn", "Hưng Nguyên", "Nghi Lộc",
    "Thanh Chương", "Anh Sơn", "Con Cuông", "Tương Dương", "Kỳ Sơn", "Quế Phong", "Quỳ Châu",
    "Quỳ Hợp", "Nghĩa Đàn", "Tân Kỳ", "Thái Hòa", "Hoàng Mai", "Cửa Lò", "Vinh",
)  # fmt: skip
DOCUMENTS = ("Nghị quyết số 25-NQ/TW", "Chỉ thị số 49-CT/TW", "Quyết định số 290-QĐ/TW")
PEOPLE = ("Nguyễn Mạnh Khôi", "Lê Văn Lương", "Hoàng Thị Quỳnh Anh", "Trần Đình Thủy")
#: Old and new tone placement, both in the text (the fold makes them one).
TONE_PAIRS = (("Tỉnh ủy", "Tỉnh uỷ"), ("hòa giải", "hoà giải"), ("thủy lợi", "thuỷ lợi"))

#: What people type: places, set phrases, document numbers, names, with and without
#: tone marks; a comma between phrases that must all be there.
QUERIES = (
    "dân vận khéo",
    "dan van kheo",
    "DÂN VẬN KHÉO",
    "Quỳnh Lưu",
    "quynh luu",
    "kỳ sơn",
    "tuong duong",
    "Vinh",
    "nghị quyết số 25",
    "25-NQ/TW",
    "chỉ thị số 49",
    "Nguyễn Mạnh Khôi",
    "tran dinh thuy",
    "hoà giải",
    "hòa giải, khiếu nại",
    "chuyển đổi số",
    "chuyển đổi số, nông thôn mới",
    "cựu chiến binh, cửa lò",
    "quy chế dân chủ ở cơ sở",
    "thuỷ lợi, con cuông",
    "tiếp xúc cử tri, vinh",
    "đồng bào dân tộc thiểu số miền núi",
)


#: Set phrases of the portal (Zipf-weighted in this order), spliced into half the
#: sentences: what readers look for is written this way, again and again.
SET_PHRASES = (
    "mặt trận tổ quốc", "nông thôn mới", "cựu chiến binh", "chuyển đổi số",
    "an sinh xã hội", "cải cách hành chính", "tiếp xúc cử tri", "giảm nghèo bền vững",
    "đồng bào dân tộc thiểu số", "khiếu nại tố cáo", "quy chế dân chủ ở cơ sở",
    "dân vận chính quyền", "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "đồng bào dân tộc thiểu số miền núi", "chuyển đổi số trong xây dựng nông thôn mới",
)  # fmt: skip
_PHRASE_WEIGHTS = [1.0 / (k + 1) for k in range(len(SET_PHRASES))]


def _sentence(rng: random.Random, weights: list[float], words: int) -> str:
    chosen = rng.choices(WORD_LIST, cum_weights=weights, k=words)
    if rng.random() < 0.5:
        phrase = rng.choices(SET_PHRASES, weights=_PHRASE_WEIGHTS)[0]
        chosen.insert(rng.randrange(len(chosen) + 1), phrase)
    text = " ".join(chosen)
    return text[0].upper() + text[1:] + "."


def synthesize(count: int, seed: int = SEED) -> list[tuple[int, str, str, str, datetime]]:
    """``count`` articles (number, headline, lead, body, published), deterministic."""
    rng = random.Random(seed)
    cum: list[float] = []
    total = 0.0
    for rank in range(len(WORD_LIST)):
        total += 1.0 / (rank + 1)
        cum.append(total)
    start = datetime(2018, 1, 1, tzinfo=UTC)
    out = []
    for n in range(count):
        place = rng.choice(PLACE_NAMES)
        extras = [f"huyện {place}"]
        if rng.random() < 0.03:
            extras.append("“Dân vận khéo”")
        if rng.random() < 0.02:
            extras.append(rng.choice(DOCUMENTS))
        if rng.random() < 0.05:
            extras.append(rng.choice(PEOPLE))
        old, new = rng.choice(TONE_PAIRS)
        extras.append(old if rng.random() < 0.5 else new)
        headline = _sentence(rng, cum, rng.randint(7, 13))[:-1] + f" ở {place}"
        lead = _sentence(rng, cum, rng.randint(25, 40))
        paragraphs = [_sentence(rng, cum, rng.randint(30, 60)) for _ in range(rng.randint(3, 6))]
        for extra in extras:
            k = rng.randrange(len(paragraphs))
            paragraphs[k] = f"{paragraphs[k][:-1]} {extra}."
        body = "\n".join([lead, *paragraphs])
        out.append((n, headline, lead, body, start + timedelta(minutes=31 * n)))
    return out


def fill(db: Path, count: int) -> tuple[float, float, tuple[int, int]]:
    """The store at ``db`` with ``count`` articles and the folded-text table; (seconds to
    generate and write the articles, seconds to build the search index, the file's
    size in bytes before and after)."""
    started = time.perf_counter()
    articles = synthesize(count)
    with open_store(db):
        pass  # the schema, at the current version
    conn = sqlite3.connect(db)
    now = datetime(2026, 12, 5).isoformat(sep=" ")
    rows = []
    folded = []
    for n, headline, lead, body, published in articles:
        article_id = str(100000 + n)
        url = f"https://nghean.dcs.vn/vi-vn/tin/bai-{n}/73410-16570-{article_id}"
        data = {
            "articleId": article_id,
            "url": url,
            "canonicalUrl": url,
            "headline": headline,
            "description": lead,
            "articleBody": body,
            "datePublished": published.astimezone(UTC).isoformat(),
            "categories": [],
        }
        stamp = published.replace(tzinfo=None).isoformat(sep=" ")
        rows.append(
            (article_id, int(article_id), url, json.dumps(data, ensure_ascii=False), "h", 1,
             stamp, now, now, now, now)
        )  # fmt: skip
        folded.append((article_id, like_text(headline, lead, body), stamp))
    with conn:
        conn.executemany(
            "INSERT INTO articles (article_id, article_num, url, data, content_hash, revision,"
            " date_published, first_seen, last_seen, changed_at, revised_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute(
            "CREATE TABLE folded (article_id TEXT PRIMARY KEY, text TEXT, date_published TEXT)"
        )
        conn.executemany("INSERT INTO folded VALUES (?, ?, ?)", folded)
    conn.close()
    written = time.perf_counter() - started
    before = db.stat().st_size
    started = time.perf_counter()
    with open_store(db) as store, store.engine.begin() as sa_conn:
        store_search.rebuild(sa_conn)
    indexed = time.perf_counter() - started
    return written, indexed, (before, db.stat().st_size)


def like_text(*fields: str) -> str:
    """The baseline's text: each field's folded words, one space apart, between spaces
    (``LIKE '% dan van kheo %'`` is then the phrase, as the index reads it; a field
    boundary is a newline, which no phrase crosses)."""
    return "\n".join(" " + " ".join(store_search.words_of(search_fold(f))) + " " for f in fields)


def like_query(conn: sqlite3.Connection, query: str) -> list[str]:
    """Every article matching ``query`` with the index's semantics (each phrase a
    ``LIKE`` of its words, negated ones ``NOT LIKE``), newest first."""
    where, params = [], []
    for term in store_search.parse_query(query).terms:
        where.append("text NOT LIKE ?" if term.negated else "text LIKE ?")
        params.append("% " + " ".join(term.words) + ("%" if term.prefix else " %"))
    sql = f"SELECT article_id FROM folded WHERE {' AND '.join(where)} ORDER BY date_published DESC"
    return [r[0] for r in conn.execute(sql, params)]


def fts_ids(conn: sqlite3.Connection, query: str) -> set[str]:
    """Every article the index matches for ``query`` (copies included, as in LIKE)."""
    sql = (
        "SELECT k.article_id FROM article_search f JOIN article_search_keys k"
        " ON k.search_rowid = f.rowid WHERE article_search MATCH ?"
    )
    return {r[0] for r in conn.execute(sql, (store_search.parse_query(query).fts5(),))}


def profile(conn: sqlite3.Connection, query: str) -> tuple[int, float, float, float]:
    """(matches, ms to walk every match, ms to rank them as the search does (bm25 of the
    ``RANK_WINDOW`` stored last: :func:`~danvan_crawler.store.search.rank_rowids`),
    ms to read the doclist of the query's rarest token):
    where a query's time goes, and its floor."""
    parsed = store_search.parse_query(query)
    match = parsed.fts5()
    started = time.perf_counter()
    rows = conn.execute(
        "SELECT rowid FROM article_search WHERE article_search MATCH ? ORDER BY rowid DESC",
        (match,),
    ).fetchall()
    walk = time.perf_counter() - started
    started = time.perf_counter()
    store_search.rank_rowids(conn, parsed, store_search.RANK_WINDOW)
    rank = time.perf_counter() - started
    floor = float("inf")
    for term in parsed.terms:
        if term.negated:
            continue
        tokens = store_search.pairs_of(term.words) if len(term.words) > 1 else term.words
        for token in tokens:
            started = time.perf_counter()
            conn.execute(
                "SELECT count(*) FROM article_search WHERE article_search MATCH ?",
                (f'"{token}"',),
            ).fetchone()
            floor = min(floor, time.perf_counter() - started)
    return len(rows), walk * 1000, rank * 1000, floor * 1000


def upsert_cost(count: int) -> tuple[float, float]:
    """CPU seconds an article for ``Store.upsert`` of ``count`` synthetic articles into a
    new store, with the search index and with ``index_article`` a no-op (best of 2,
    alternated)."""
    records = []
    for n, headline, lead, body, published in synthesize(count, seed=SEED + 1):
        article_id = str(500000 + n)
        url = f"https://nghean.dcs.vn/vi-vn/tin/bai-{n}/73410-16570-{article_id}"
        records.append(
            {
                "articleId": article_id, "url": url, "canonicalUrl": url, "headline": headline,
                "description": lead, "articleBody": body, "categories": [],
                "datePublished": published.isoformat(),
            }
        )  # fmt: skip
    real = store_search.index_article
    best = {True: float("inf"), False: float("inf")}
    with tempfile.TemporaryDirectory(prefix="danvan-upsert-") as tmp:
        for round_ in range(2):
            for indexed in (True, False):
                db = Path(tmp) / f"{round_}-{indexed}.db"
                if not indexed:
                    store_search.index_article = lambda *a, **k: None  # type: ignore[assignment]
                try:
                    with open_store(db) as store:
                        started = time.process_time()
                        for start in range(0, count, 100):
                            store.upsert(records[start : start + 100], detect_duplicates=False)
                        best[indexed] = min(best[indexed], time.process_time() - started)
                finally:
                    store_search.index_article = real
    return best[True] / count, best[False] / count


def words_only_build(db: Path) -> float:
    """Seconds to build an index of the words alone (no pair columns) from the same
    articles, the same way (fold, insert, optimize): what the pairs cost to build."""
    conn = sqlite3.connect(db)
    started = time.perf_counter()
    with conn:
        conn.execute(
            "CREATE VIRTUAL TABLE words_only USING fts5(headline, lead, body, content='',"
            " tokenize='unicode61 remove_diacritics 2')"
        )
        rows = conn.execute("SELECT rowid, data FROM articles ORDER BY article_id")
        for rowid, data in rows.fetchall():
            values = search_sqlite.index_values(json.loads(data))[:3]
            conn.execute(
                "INSERT INTO words_only (rowid, headline, lead, body) VALUES (?, ?, ?, ?)",
                (rowid, *values),
            )
        conn.execute("INSERT INTO words_only (words_only) VALUES ('optimize')")
    elapsed = time.perf_counter() - started
    with conn:
        conn.execute("DROP TABLE words_only")
    conn.close()
    return elapsed


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=ARTICLES)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument(
        "--costs",
        action="store_true",
        help="also time a words-only index build and the upsert with and without the index",
    )
    parser.add_argument(
        "--store",
        type=Path,
        help="keep the built store at this path and reuse it when it exists (while"
        " iterating on the search code; the figures to quote come from a fresh build)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="danvan-search-") as tmp:
        db = args.store or Path(tmp) / "search.db"
        if args.store is None or not db.exists():
            written, indexed, sizes = fill(db, args.articles)
            figure(f"{args.articles} articles generated and written", written, "s")
            figure("search index built (store code)", indexed, "s")
            figure("store size without the index", sizes[0] / 1e6, "MB")
            figure("store size with the index", sizes[1] / 1e6, "MB")
        if args.costs:
            figure("words-only index built (no pair columns)", words_only_build(db), "s")
        fts: dict[str, list[float]] = {q: [] for q in QUERIES}
        like: dict[str, float] = {}
        hits: dict[str, int] = {}
        rows: dict[str, list[str]] = {}
        conn = sqlite3.connect(db)
        with open_store(db) as store:
            for q in QUERIES:  # warm both (page cache), not timed
                store_search.search(store, q, limit=LIMIT)
            like_query(conn, QUERIES[0])
            for _ in range(args.repeats):
                for q in QUERIES:
                    started = time.perf_counter()
                    hits[q] = len(store_search.search(store, q, limit=LIMIT))
                    fts[q].append(time.perf_counter() - started)
            for q in QUERIES:
                started = time.perf_counter()
                rows[q] = like_query(conn, q)
                like[q] = time.perf_counter() - started
            # one question, one answer: the index's match set is the LIKE scan's
            differ = [q for q in QUERIES if fts_ids(conn, q) != set(rows[q])]
            profiles = {q: profile(conn, q) for q in QUERIES}
        conn.close()
    print(
        f"{'query':<36} {'matches':>8} {'walk ms':>8} {'rank ms':>8} {'floor ms':>9}"
        f" {'FTS ms (median)':>16} {'LIKE ms':>8} {'shown':>6}"
    )
    for q in QUERIES:
        n, walk, rank, floor = profiles[q]
        median = statistics.median(fts[q]) * 1000
        print(
            f"{q:<36} {n:>8} {walk:>8.2f} {rank:>8.2f} {floor:>9.3f} {median:>16.2f}"
            f" {like[q] * 1000:>8.1f} {hits[q]:>6}"
        )
    fts_p95 = p95([t for times in fts.values() for t in times])
    like_p95 = p95(list(like.values()))
    ratio = like_p95 / fts_p95
    figure(f"FTS query p95 ({len(QUERIES)} queries x {args.repeats})", fts_p95 * 1000, "ms")
    figure(f"LIKE scan p95 ({len(QUERIES)} queries)", like_p95 * 1000, "ms")
    figure("LIKE p95 / FTS p95", ratio, "x", f">= {TARGET_RATIO:g}", ratio >= TARGET_RATIO)
    same = not differ
    figure("queries whose FTS and LIKE match sets differ", len(differ), "", "0", same)
    for q in differ:
        print(f"  differs: {q!r}")
    if args.costs:
        with_index, without = upsert_cost(2000)
        figure("upsert CPU an article, with the index", with_index * 1000, "ms")
        figure("upsert CPU an article, without", without * 1000, "ms")
    return 0 if ratio >= TARGET_RATIO and same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
