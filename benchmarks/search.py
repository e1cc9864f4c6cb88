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

- FTS: :func:`danvan_crawler.store.search.search` (bm25 rank, snippets, the records
  read), best 20, ``REPEATS`` times each;
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

#: What people type: (query, LIKE terms are its folded words).
QUERIES = (
    "dân vận khéo",
    "dan van kheo",
    "DÂN VẬN KHÉO",
    "Quỳnh Lưu",
    "quynh luu",
    "kỳ sơn",
    "tuong duong",
    "nghị quyết 25",
    "25-NQ/TW",
    "chỉ thị 49",
    "Nguyễn Mạnh Khôi",
    "tran dinh thuy",
    "hoà giải",
    "hòa giải khiếu nại",
    "chuyển đổi số",
    "chuyen doi so nong thon moi",
    "cựu chiến binh cửa lò",
    "quy chế dân chủ",
    "thuy loi con cuong",
    "tiếp xúc cử tri vinh",
)


def _sentence(rng: random.Random, weights: list[float], words: int) -> str:
    text = " ".join(rng.choices(WORD_LIST, cum_weights=weights, k=words))
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


def fill(db: Path, count: int) -> tuple[float, float]:
    """The store at ``db`` with ``count`` articles and the folded-text table; (seconds to
    generate and write the articles, seconds to build the search index)."""
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
        text = "\n".join((headline, lead, body))
        folded.append((article_id, search_fold(text), stamp))
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
    started = time.perf_counter()
    with open_store(db) as store, store.engine.begin() as sa_conn:
        store_search.rebuild(sa_conn)
    return written, time.perf_counter() - started


def like_query(conn: sqlite3.Connection, query: str) -> list[str]:
    words = re.findall(r"\w+", search_fold(query))
    where = " AND ".join("text LIKE ?" for _ in words)
    sql = f"SELECT article_id FROM folded WHERE {where} ORDER BY date_published DESC LIMIT ?"
    return [r[0] for r in conn.execute(sql, [f"%{w}%" for w in words] + [LIMIT])]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=ARTICLES)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="danvan-search-") as tmp:
        db = Path(tmp) / "search.db"
        written, indexed = fill(db, args.articles)
        figure(f"{args.articles} articles generated and written", written, "s")
        figure("search index built (store code)", indexed, "s")
        fts: dict[str, list[float]] = {q: [] for q in QUERIES}
        like: dict[str, float] = {}
        found: dict[str, tuple[int, int]] = {}
        conn = sqlite3.connect(db)
        with open_store(db) as store:
            for q in QUERIES:  # warm both (page cache), not timed
                store_search.search(store, q, limit=LIMIT)
            like_query(conn, QUERIES[0])
            for round_ in range(args.repeats):
                for q in QUERIES:
                    started = time.perf_counter()
                    hits = store_search.search(store, q, limit=LIMIT)
                    fts[q].append(time.perf_counter() - started)
                    if round_ == 0:
                        found[q] = (len(hits), 0)
            for q in QUERIES:
                started = time.perf_counter()
                rows = like_query(conn, q)
                like[q] = time.perf_counter() - started
                found[q] = (found[q][0], len(rows))
        conn.close()
    print(f"{'query':<30} {'FTS ms (median)':>16} {'LIKE ms':>10} {'hits FTS/LIKE':>14}")
    for q in QUERIES:
        median = statistics.median(fts[q]) * 1000
        print(f"{q:<30} {median:>16.2f} {like[q] * 1000:>10.1f} {found[q][0]:>7}/{found[q][1]}")
    fts_p95 = p95([t for times in fts.values() for t in times])
    like_p95 = p95(list(like.values()))
    ratio = like_p95 / fts_p95
    figure(f"FTS query p95 ({len(QUERIES)} queries x {args.repeats})", fts_p95 * 1000, "ms")
    figure(f"LIKE scan p95 ({len(QUERIES)} queries)", like_p95 * 1000, "ms")
    figure("LIKE p95 / FTS p95", ratio, "x", f">= {TARGET_RATIO:g}", ratio >= TARGET_RATIO)
    # ---- tagging places (issue 21): the CPU of a crawl with and without it is measured
    # ---- in benchmarks/crawl.py (the places part), not here.
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
