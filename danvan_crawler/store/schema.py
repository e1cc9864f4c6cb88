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

from sqlalchemy import (
    BigInteger,
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

categories = Table(
    "categories",
    metadata,
    Column("category_id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("slug", Text, nullable=True),
    Column("name", Text, nullable=True),
    Column("sub_site", Text, nullable=True),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
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

#: HTTP validators per URL (listing pages, articles) for conditional requests.
http_validators = Table(
    "http_validators",
    metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
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


#: Ordered migrations: (version, function). Append only; a new database is created from
#: the current tables above and stamped with every version instead.
MIGRATIONS: tuple[tuple[int, Callable[[Connection], None]], ...] = (
    (1, _migration_1),
    (2, _migration_2),
    (3, _migration_3),
)
SCHEMA_VERSION: int = MIGRATIONS[-1][0]
ALL_TABLES = tuple(t for t in metadata.sorted_tables if t is not schema_version)
