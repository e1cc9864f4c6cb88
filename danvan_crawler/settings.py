"""Scrapy settings of danvan-crawler: the defaults, with a comment each.

Every ``DANVAN_*`` setting is listed here. Override any of them with ``-s NAME=VALUE``
(``danvan crawl``, ``scrapy crawl``) or through the configuration (``danvan config``).
"""

from danvan_crawler import __version__

BOT_NAME = "danvan_crawler"
SPIDER_MODULES = ["danvan_crawler.spiders"]
NEWSPIDER_MODULE = "danvan_crawler.spiders"

# --- the site ------------------------------------------------------------------------
# Base URL of the portal (scheme://host[:port]); `-a site=URL` or `--site URL` override it.
# The replica serves the same paths at http://127.0.0.1:PORT.
DANVAN_SITE_URL = "https://nghean.dcs.vn"
# Site profile: a name in danvan_crawler/profiles/ (without .toml) or a path to a TOML file.
DANVAN_PROFILE = "nghean"
# Restrict the crawl to these categories (slugs or URLs); empty: every category discovered.
DANVAN_CATEGORIES: list[str] = []
# Rename categories or add undiscovered ones: {"<slug or URL>": {"name": ..., "subSite": ...}}
# (a plain string value is a new name). Keys that are URLs are crawled even if no page
# links them.
DANVAN_CATEGORY_OVERRIDES: dict[str, object] = {}
# Visit sub-site homes to discover their categories: "auto" (only when the page that links
# a sub-site does not already list its categories in the same menu item), "always", "never".
DANVAN_VISIT_SUBSITES = "auto"

# --- manners ---------------------------------------------------------------------------
# Contact URL sent in the User-Agent (who runs this crawler, how to reach them).
DANVAN_CONTACT_URL = "https://github.com/danvan-crawler/danvan-crawler"
# User-Agent template; {version} and {contact_url} are filled in by the spider. A USER_AGENT
# set on the command line wins.
DANVAN_USER_AGENT = "danvan-crawler/{version} (+{contact_url})"
USER_AGENT = f"danvan-crawler/{__version__} (+{DANVAN_CONTACT_URL})"
# "auto": polite against the live portal, lifted when the site URL is loopback (127.0.0.0/8,
# localhost, ::1: the replica) and the log says so; "polite" (or "on"): always polite;
# "off": never. Politeness = the AutoThrottle/concurrency/delay values below; lifted =
# DANVAN_LIFTED_* values. Settings given on the command line always win.
DANVAN_POLITENESS = "auto"
# Concurrency per domain when politeness is lifted.
DANVAN_LIFTED_CONCURRENCY = 16
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 2
# Pages are small; a cache would hide the site's changes from incremental runs.
HTTPCACHE_ENABLED = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- output ----------------------------------------------------------------------------
# JSON Lines (FEEDS, set by `danvan crawl --jsonl PATH`): UTF-8 without \u escapes.
FEED_EXPORT_ENCODING = "utf-8"
# The JSON Lines of a run hold only new or updated articles (the store pipeline drops the
# rest); a run where nothing changed must leave no file, not an empty one.
FEED_STORE_EMPTY = False

# --- store and deduplication (issue 3: danvan_crawler/store, danvan_crawler/pipelines) ----
# The article store: a SQLite file (path relative to the working folder) or a database URL
# (sqlite:///...; PostgreSQL later). `--db PATH` and the configuration set it.
DANVAN_DB = "danvan.db"
# Fields an article must have, non-empty; the validate pipeline drops (and counts) the rest.
DANVAN_REQUIRED_FIELDS = ["articleId", "url", "headline", "datePublished"]
# Tracking query parameters dropped from URLs, besides danvan_crawler.urls' defaults.
DANVAN_TRACKING_PARAMS: list[str] = []
# Extract the official documents cited in headline and body into documentRefs.
DANVAN_DOCUMENT_REFS = True
# Near duplicates: search re-published copies and mark them (duplicateOf, out of feeds).
DANVAN_DEDUPE_NEAR = True
# Similarity (difflib ratio over tone-folded word tokens) from which a text is a copy.
DANVAN_DUPLICATE_THRESHOLD = 0.9
# Texts shorter than this many words are never taken for copies.
DANVAN_DUPLICATE_MIN_TOKENS = 20
# Let unchanged articles through the store pipeline too (change: null); off for cron runs.
DANVAN_EMIT_UNCHANGED = False

# --- item pipelines (issue 3) -------------------------------------------------------------
# validate -> normalize -> enrich -> dedupe -> store (danvan_crawler.pipelines.ITEM_PIPELINES).
ITEM_PIPELINES = {
    "danvan_crawler.pipelines.ValidatePipeline": 100,
    "danvan_crawler.pipelines.NormalizePipeline": 200,
    "danvan_crawler.pipelines.EnrichPipeline": 300,
    "danvan_crawler.pipelines.DedupePipeline": 400,
    "danvan_crawler.pipelines.StorePipeline": 500,
}

# --- layout-change alarm (issue 5, danvan_crawler/alarm.py) -------------------------------
# LayoutWatch records per page what the alarm needs and keeps stored articles from being
# overwritten by versions a fallback degraded; `danvan run` exits 3 when a threshold is crossed.
SPIDER_MIDDLEWARES = {"danvan_crawler.alarm.LayoutWatch": 950}
# A listing page linking fewer article URLs than this counts as empty.
DANVAN_ALARM_MIN_LISTING_ITEMS = 1
# Alarm when more than this share of the listing pages fetched are empty.
DANVAN_ALARM_EMPTY_LISTING_RATIO = 0.5
# Alarm when more than this share of the article (or listing) pages needed a fallback.
DANVAN_ALARM_FALLBACK_RATIO = 0.2
# Alarm when more than this share of the articles missed a required field or were dropped.
DANVAN_ALARM_MISSING_RATIO = 0.1
# Article ratios are judged only when a run parsed at least this many article pages.
DANVAN_ALARM_MIN_ARTICLES = 3
# Example URLs kept per kind of problem, for the alarm's message.
DANVAN_ALARM_EXAMPLES = 3
# Stored articles are not overwritten from pages that needed a fallback for these ([]: off).
DANVAN_ALARM_PROTECT_FIELDS = ["headline", "datePublished", "articleBody"]

# --- engine ----------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
