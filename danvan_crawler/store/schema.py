"""Tables of the store (SQLAlchemy Core, dialect neutral) and their migrations.

The tables below are the schema at :data:`SCHEMA_VERSION`. A database records the
migrations applied to it in ``schema_version`` (one row per version). Opening a store
creates a new database from these tables and stamps it with every version; an existing
one gets the missing migrations, in order, in one transaction. To change the schema:
edit the tables here AND append a migration function that brings a database of the
previous version to the new one (Core DDL/``ALTER TABLE``); never edit an old one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    select,
    text,
    update,
)

logger = logging.getLogger(__name__)

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime, nullable=False),
)

#: One row per article id (the identity). ``data`` is the JSON of the output-schema
#: fields; the other columns are bookkeeping and indexes. Times are naive UTC.
articles = Table(
    "articles",
    metadata,
    Column("article_id", String(32), primary_key=True),
    Column("article_num", BigInteger, nullable=False),  # numeric id, for ordering
    Column("url", Text, nullable=False),
    Column("data", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("duplicate_of", String(32), nullable=True),
    Column("date_published", DateTime, nullable=True),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("changed_at", DateTime, nullable=False),  # new, updated or merged
    # MinHash sketch of the comparison text (similarity.pack_sketch), for a cheap
    # similarity estimate before the exact check; NULL for texts too short to compare.
    Column("sketch", LargeBinary, nullable=True),
    # When the content last changed (new or updated; not merged): the "change" of an
    # exported article relative to a time. NULL in rows older than schema version 4.
    Column("revised_at", DateTime, nullable=True),
    Index("ix_articles_published", "date_published", "article_num"),
    Index("ix_articles_changed", "changed_at", "article_num"),
    # Partial: only copies are indexed, so "duplicate_of IS NULL" cannot pick this index
    # over the ordered ix_articles_published (latest() reads that one in order).
    Index(
        "ix_articles_duplicate_of",
        "duplicate_of",
        sqlite_where=text("duplicate_of IS NOT NULL"),
        postgresql_where=text("duplicate_of IS NOT NULL"),
    ),
)

#: Every URL an article was seen under (canonical form) -> its id.
article_urls = Table(
    "article_urls",
    metadata,
    Column("url", Text, primary_key=True),
    Column("article_id", String(32), ForeignKey("articles.article_id"), nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Index("ix_article_urls_article", "article_id"),
)

#: Every category ever seen. ``url`` is the latest absolute URL it was seen under;
#: ``url_key`` (its path and query, :func:`url_key`) is its identity, so that a change
#: of the portal's scheme, host or port is the same category, not another one.
categories = Table(
    "categories",
    metadata,
    Column("category_id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("url_key", Text, nullable=True),
    Column("slug", Text, nullable=True),
    Column("name", Text, nullable=True),
    Column("sub_site", Text, nullable=True),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Index("ux_categories_url_key", "url_key", unique=True),
)

article_categories = Table(
    "article_categories",
    metadata,
    Column("category_id", Integer, ForeignKey("categories.category_id"), primary_key=True),
    Column("article_id", String(32), ForeignKey("articles.article_id"), primary_key=True),
    Column("first_seen", DateTime, nullable=False),
    # Copies of the article's ordering columns, so that latest(category) reads one
    # index range in order instead of sorting the category (kept in sync on update).
    Column("date_published", DateTime, nullable=True),
    Column("article_num", BigInteger, nullable=False),
    Index("ix_article_categories_article", "article_id"),
    Index("ix_article_categories_latest", "category_id", "date_published", "article_num"),
)

#: HTTP validators per URL (home, listing and article pages) for conditional requests.
http_validators = Table(
    "http_validators",
    metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
    Column("updated_at", DateTime, nullable=False),
)

#: The crawl's own state between runs, by key (:mod:`danvan_crawler.incremental` names
#: them): e.g. which categories were walked to the end, the last run's categories.
crawl_state = Table(
    "crawl_state",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

#: What a listing showed about an article last time (e.g. its update time).
listing_signatures = Table(
    "listing_signatures",
    metadata,
    Column("article_id", String(32), primary_key=True),
    Column("signature", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

#: MinHash band keys of each article's comparison text (near-duplicate candidates).
article_bands = Table(
    "article_bands",
    metadata,
    Column("band_key", BigInteger, primary_key=True, autoincrement=False),
    Column("article_id", String(32), ForeignKey("articles.article_id"), primary_key=True),
    Index("ix_article_bands_article", "article_id"),
)

#: The change log: one row per article stored as new or updated, written in the
#: transaction that stores it. The JSON Lines of runs (``--jsonl``) are written from it.
article_changes = Table(
    "article_changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(32), nullable=False),
    Column("kind", String(16), nullable=False),  # new | updated
    Column("revision", Integer, nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Index("ix_article_changes_changed", "changed_at"),
    # sequence numbers are never reused, even once the log is emptied (cursors hold them)
    sqlite_autoincrement=True,
)

#: How far each consumer of the change log (a ``--jsonl`` file) has been written:
#: every change with ``seq`` up to ``seq``. ``pending_seq``/``pending_file``: a file
#: written up to ``pending_seq`` and about to be renamed into place (see
#: :mod:`danvan_crawler.stream`).
change_cursors = Table(
    "change_cursors",
    metadata,
    Column("consumer", Text, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("pending_seq", Integer, nullable=True),
    Column("pending_file", Text, nullable=True),
    Column("updated_at", DateTime, nullable=False),
)

#: Facts about the store itself: ``store_id`` (random, set at creation), by which
#: distributed workers tell whether they share one store.
store_meta = Table(
    "store_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: Each article's places (``places`` of its record, by the place's feed name), with the
#: article's ordering columns: a place's feed reads one index range in order.
article_places = Table(
    "article_places",
    metadata,
    Column("place_slug", String(160), primary_key=True),
    Column("article_id", String(32), ForeignKey("articles.article_id"), primary_key=True),
    Column("name", Text, nullable=False),
    Column("code", String(16), nullable=False),
    Column("level", String(16), nullable=False),
    Column("current", Boolean, nullable=False),
    Column("date_published", DateTime, nullable=True),
    Column("article_num", BigInteger, nullable=False),
    Index("ix_article_places_article", "article_id"),
    Index("ix_article_places_latest", "place_slug", "date_published", "article_num"),
)

#: Each article's cited documents (``documentRefs``, by the document's feed name).
article_documents = Table(
    "article_documents",
    metadata,
    Column("document_slug", String(160), primary_key=True),
    Column("article_id", String(32), ForeignKey("articles.article_id"), primary_key=True),
    Column("kind", Text, nullable=False),
    Column("number", String(16), nullable=False),
    Column("code", String(16), nullable=False),
    Column("issuer", String(32), nullable=False),
    Column("date_published", DateTime, nullable=True),
    Column("article_num", BigInteger, nullable=False),
    Index("ix_article_documents_article", "article_id"),
    Index("ix_article_documents_latest", "document_slug", "date_published", "article_num"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("status", String(32), nullable=False),
    Column("summary", Text, nullable=True),  # JSON
)


def _migration_1(conn: Connection) -> None:
    """Initial schema (the version-1 shape of every table)."""
    metadata.create_all(
        conn,
        tables=[
            articles,
            article_urls,
            categories,
            article_categories,
            http_validators,
            listing_signatures,
            article_bands,
            runs,
        ],
    )
    conn.execute(text("ALTER TABLE articles DROP COLUMN sketch"))  # added by migration 2
    # added by migration 4
    conn.execute(text("DROP INDEX ux_categories_url_key"))
    conn.execute(text("ALTER TABLE categories DROP COLUMN url_key"))
    conn.execute(text("ALTER TABLE articles DROP COLUMN revised_at"))


def _migration_2(conn: Connection) -> None:
    """``articles.sketch``: stored MinHash sketches, computed for the stored articles."""
    import json

    from danvan_crawler.similarity import DEFAULT_MIN_TOKENS, article_tokens, pack_sketch, sketch

    column_type = LargeBinary().compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE articles ADD COLUMN sketch {column_type}"))
    rows = conn.execute(select(articles.c.article_id, articles.c.data)).all()
    for row in rows:
        tokens = article_tokens(json.loads(row.data))
        if len(tokens) >= DEFAULT_MIN_TOKENS:
            conn.execute(
                update(articles)
                .where(articles.c.article_id == row.article_id)
                .values(sketch=pack_sketch(sketch(tokens)))
            )


def _migration_3(conn: Connection) -> None:
    """Sketches and band keys recomputed: word bigrams and bands are hashed differently
    (:func:`danvan_crawler.similarity.shingle_hashes`, ``band_keys``). The same articles
    stay indexed (those with a sketch or band keys: texts long enough when stored)."""
    import json

    from danvan_crawler.similarity import article_tokens, band_keys, pack_sketch, sketch

    a, ab = articles.c, article_bands.c
    banded = set(conn.execute(select(ab.article_id).distinct()).scalars())
    with_sketch = set(conn.execute(select(a.article_id).where(a.sketch.is_not(None))).scalars())
    conn.execute(article_bands.delete())
    for article_id in sorted(banded | with_sketch):
        data = conn.execute(select(a.data).where(a.article_id == article_id)).scalar_one()
        signature = sketch(article_tokens(json.loads(data)))
        conn.execute(
            update(articles).where(a.article_id == article_id).values(sketch=pack_sketch(signature))
        )
        conn.execute(
            article_bands.insert(),
            [{"band_key": k, "article_id": article_id} for k in sorted(set(band_keys(signature)))],
        )


def _migration_4(conn: Connection) -> None:
    """One category per site path whatever host served it (``categories.url_key``; the
    rows a change of scheme, host or port duplicated are merged into the one seen last,
    with their article links, and the articles' category lists follow); the change log
    (``article_changes``, ``change_cursors``); ``articles.revised_at`` (taken from
    ``changed_at`` for the rows already there); ``store_meta`` with a ``store_id``."""
    import json

    from sqlalchemy import inspect

    from danvan_crawler.store.records import merge_categories
    from danvan_crawler.urls import site_key

    def columns(table: Table) -> set[str]:
        return {c["name"] for c in inspect(conn).get_columns(table.name)}

    if "revised_at" not in columns(articles):
        column_type = DateTime().compile(dialect=conn.dialect)
        conn.execute(text(f"ALTER TABLE articles ADD COLUMN revised_at {column_type}"))
    conn.execute(
        update(articles)
        .where(articles.c.revised_at.is_(None))
        .values(revised_at=articles.c.changed_at)
    )

    c, ac = categories.c, article_categories.c
    if "url_key" not in columns(categories):
        conn.execute(text("ALTER TABLE categories ADD COLUMN url_key TEXT"))
    rows = conn.execute(select(c.category_id, c.url, c.last_seen)).all()
    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(site_key(row.url), []).append(row)
    renamed: dict[str, str] = {}  # url of a merged row -> url of the row kept
    touched: set[str] = set()  # articles linked to a merged row
    for key, group in groups.items():
        keep = max(group, key=lambda r: (r.last_seen, r.category_id))
        for other in group:
            if other is keep:
                continue
            renamed[other.url] = keep.url
            linked = select(ac.article_id).where(ac.category_id == other.category_id)
            touched.update(conn.execute(linked).scalars())
            kept = select(ac.article_id).where(ac.category_id == keep.category_id)
            conn.execute(
                update(article_categories)
                .where(ac.category_id == other.category_id)
                .where(ac.article_id.not_in(kept.scalar_subquery()))
                .values(category_id=keep.category_id)
            )
            conn.execute(article_categories.delete().where(ac.category_id == other.category_id))
            conn.execute(categories.delete().where(c.category_id == other.category_id))
        conn.execute(
            update(categories).where(c.category_id == keep.category_id).values(url_key=key)
        )
    for article_id in sorted(touched):
        data = conn.execute(
            select(articles.c.data).where(articles.c.article_id == article_id)
        ).scalar_one()
        record = json.loads(data)
        cats = [
            {**cat, "url": renamed.get(cat.get("url"), cat.get("url"))}
            for cat in record.get("categories") or ()
        ]
        record["categories"] = merge_categories(cats)
        conn.execute(
            update(articles)
            .where(articles.c.article_id == article_id)
            .values(data=json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        )
    if "ux_categories_url_key" not in {i["name"] for i in inspect(conn).get_indexes("categories")}:
        conn.execute(text("CREATE UNIQUE INDEX ux_categories_url_key ON categories (url_key)"))

    metadata.create_all(conn, tables=[article_changes, change_cursors, store_meta])
    ensure_store_id(conn)


def _migration_5(conn: Connection) -> None:
    """``article_places`` and ``article_documents`` (place and document feeds); the
    stored articles get their ``places`` (tagged now, content hash to match) and both
    indexes (:mod:`danvan_crawler.store.places`)."""
    from danvan_crawler.store.places import backfill

    metadata.create_all(conn, tables=[article_places, article_documents])
    backfill(conn)


def ensure_store_id(conn: Connection) -> str:
    """The store's ``store_id`` (created, random, when missing)."""
    import uuid

    found = conn.execute(select(store_meta.c.value).where(store_meta.c.key == "store_id")).scalar()
    if found is None:
        found = uuid.uuid4().hex
        conn.execute(store_meta.insert().values(key="store_id", value=found))
    return str(found)


def _migration_6(conn: Connection) -> None:
    """The full-text search index (:mod:`danvan_crawler.store.search`), filled with the
    stored articles."""
    from danvan_crawler.store import search

    search.install(conn, fill=True)


def _migration_7(conn: Connection) -> None:
    """``crawl_state``: the crawl's state rows leave ``http_validators``, where they were
    kept under pseudo-URLs ``danvan-state:<key>`` (value in ``etag``; a NULL one meant
    the state was unset, so it is not carried over)."""
    prefix = "danvan-state:"
    v = http_validators.c
    pseudo = v.url.startswith(prefix, autoescape=True)
    rows = conn.execute(select(v.url, v.etag, v.updated_at).where(pseudo)).all()
    metadata.create_all(conn, tables=[crawl_state])
    carried = [
        {"key": row.url[len(prefix) :], "value": row.etag, "updated_at": row.updated_at}
        for row in rows
        if row.etag is not None
    ]
    if carried:
        conn.execute(crawl_state.insert(), carried)
    conn.execute(http_validators.delete().where(pseudo))


#: Ordered migrations: (version, function). Append only; a new database is created from
#: the current tables above and stamped with every version instead.
MIGRATIONS: tuple[tuple[int, Callable[[Connection], None]], ...] = (
    (1, _migration_1),
    (2, _migration_2),
    (3, _migration_3),
    (4, _migration_4),
    (5, _migration_5),
    (6, _migration_6),
    (7, _migration_7),
)
SCHEMA_VERSION: int = MIGRATIONS[-1][0]
ALL_TABLES = tuple(t for t in metadata.sorted_tables if t is not schema_version)
