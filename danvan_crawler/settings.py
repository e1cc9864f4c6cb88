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
# Article requests waiting in the scheduler at a time, once the listing phase is over: the
# rest are built as these are fetched, so memory does not grow with the backlog.
DANVAN_ARTICLE_WINDOW = 128

# --- manners ---------------------------------------------------------------------------
# Contact URL sent in the User-Agent (who runs this crawler, how to reach them).
DANVAN_CONTACT_URL = "https://github.com/danvan-crawler/danvan-crawler"
# User-Agent template; {version} and {contact_url} are filled in by the add-on. A USER_AGENT
# set on the command line wins.
DANVAN_USER_AGENT = "danvan-crawler/{version} (+{contact_url})"
USER_AGENT = f"danvan-crawler/{__version__} (+{DANVAN_CONTACT_URL})"
# The add-on that applies the two choices below (politeness, User-Agent) to the crawl.
ADDONS = {"danvan_crawler.addons.Manners": 0}
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
# Items (and requests) a response's output is processed with in parallel: a page yields at
# most one article, and Scrapy starts this many asyncio tasks for every response.
CONCURRENT_ITEMS = 16

# --- faults (danvan_crawler/resilience.py) ----------------------------------------------
# A portal page answers in well under a second; a minute without an answer is a hung
# server, better retried than waited for.
DOWNLOAD_TIMEOUT = 60
# Pages are tens of kB; anything above 16 MiB is not an article page (a CMS bug, an inline
# image gone wrong) and is dropped (danvan/fault/too_large); warn from 2 MiB.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# A response shorter than its Content-Length is an error (retried), never a page.
DOWNLOAD_FAIL_ON_DATALOSS = True
# Retries per request (5xx, 429, timeouts, resets, truncated or empty pages): with a 10 %
# failure rate, 4 retries leave 1 page in 100 000 unfetched (the next run gets it).
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# A page that failed all its retries is tried this many more rounds in the same run, each
# with RETRY_TIMES retries afresh, after everything else the run fetches (a failing server
# has had time to recover); only then is it given up until the next run. 0: no later round.
# Costs nothing on a healthy portal; with 72 % of answers failing, 2 rounds made fewer
# requests in all than 1 (each run left fewer pages to the next: benchmarks/README.md).
DANVAN_RETRY_ROUNDS = 2
# Exponential backoff before the n-th retry: BASE * 2**(n-1) seconds, at most MAX.
DANVAN_RETRY_BACKOFF_BASE = 1.0
DANVAN_RETRY_BACKOFF_MAX = 60.0
# Retry-After (429/503) is honoured up to this many seconds.
DANVAN_RETRY_AFTER_MAX = 120.0
# Redirect chains longer than this end the request (warning naming the URL); loops are
# stopped at the first URL seen twice.
REDIRECT_MAX_TIMES = 5
# Listing pages fetched per category at most (a pagination trap that escapes the
# "no new article on this page" rule ends here, with a warning).
DANVAN_MAX_PAGES_PER_CATEGORY = 1000
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "danvan_crawler.middlewares.downloader.BackoffRetryMiddleware": 550,
    "danvan_crawler.middlewares.downloader.ResponseLengthCheck": 595,
    "danvan_crawler.middlewares.downloader.RedirectGuard": 610,
}
# Pages are small; a cache would hide the site's changes from incremental runs.
HTTPCACHE_ENABLED = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's remote control (since 2.19: an HTTP server on localhost that runs Python code
# sent to it, and writes job files): not for an unattended cron job. Off, and the
# extension not even loaded (it imports aiohttp's web server: ~0.2 s of every start-up).
REMOTE_CONTROL_ENABLED = False
EXTENSIONS = {
    "scrapy.extensions.remote_control.RemoteControl": None,
    # the article store (DANVAN_DB), which every component below reaches through it
    "danvan_crawler.extensions.StoreExtension": 0,
    # what an incremental run may skip and what it finished (DANVAN_INCREMENTAL)
    "danvan_crawler.extensions.IncrementalExtension": 10,
}

# --- output ----------------------------------------------------------------------------
# JSON Lines of the articles new or updated since the last file written to this path
# (`--jsonl PATH`, config key jsonl): written after the crawl from the store's change log,
# whole or not at all (danvan_crawler/stream.py); a run where nothing changed leaves no
# file. Empty: none.
DANVAN_JSONL = ""
# Scrapy's own FEEDS (`scrapy crawl portal -O x.jsonl`) get the items leaving the store
# pipeline (new or updated ones only): UTF-8 without \u escapes, no empty file.
FEED_EXPORT_ENCODING = "utf-8"
FEED_STORE_EMPTY = False

# --- store and deduplication (danvan_crawler/store, danvan_crawler/pipelines) -------------
# The article store: a SQLite file (path relative to the working folder) or a database URL
# (sqlite:///...; PostgreSQL later). `--db PATH` and the configuration set it.
DANVAN_DB = "danvan.db"
# Fields an article must have, non-empty; the validate pipeline drops (and counts) the rest.
DANVAN_REQUIRED_FIELDS = ["articleId", "url", "headline", "datePublished"]
# Tracking query parameters dropped from every URL where pages are read, besides the
# profile's [urls] tracking_params (danvan_crawler.urls' defaults when a profile names none).
DANVAN_TRACKING_PARAMS: list[str] = []
# Extract the official documents cited in headline and body into documentRefs.
DANVAN_DOCUMENT_REFS = True
# Tag the places of Nghệ An mentioned in headline, lead and body (places; today's units
# and former ones, from the vietnam-provinces and vietnamadminunits packages). Off: places
# stays null (benchmarks/crawl.py measures the crawl both ways).
DANVAN_PLACES = True
# Near duplicates: search re-published copies and mark them (duplicateOf, out of feeds).
DANVAN_DEDUPE_NEAR = True
# Similarity (difflib ratio over tone-folded word tokens) from which a text is a copy.
DANVAN_DUPLICATE_THRESHOLD = 0.9
# Texts shorter than this many words are never taken for copies.
DANVAN_DUPLICATE_MIN_TOKENS = 20
# Let unchanged articles through the store pipeline too (change: null); off for cron runs.
DANVAN_EMIT_UNCHANGED = False
# Most articles written in one store transaction (1: one transaction per article), and the
# longest an article waits (seconds) for its batch to fill before it is written anyway.
DANVAN_STORE_BATCH = 50
DANVAN_STORE_BATCH_DELAY = 0.25

# --- incremental crawling (danvan_crawler/incremental.py) -----------------------------------
# Fetch only what is new or changed, deciding from the store: conditional home and listing
# requests, paging stopped at known unchanged articles, known article pages not fetched
# again unless their listing entry changed. False: every page, every run (no store reads).
DANVAN_INCREMENTAL = True
# Walk every listing page (backfill; `--full`); known, unchanged articles are still skipped.
DANVAN_FULL = False
# Walk every listing page and fetch every listed article page again (`--refresh`).
DANVAN_REFRESH = False
# When paging stops in a category walked before: "oldest" after a page whose last (oldest)
# entry is known and unchanged (listings are ordered by last update); "all" only after a
# page whose entries all are (one more page per changed category).
DANVAN_STOP_RULE = "oldest"
# An article stored from a page that still looked cut short when its retries were spent
# (danvan_crawler/extract/truncation.py) is fetched again on at most this many next runs,
# until its page comes whole; then the stored version is accepted as it is.
DANVAN_CUT_MAX_RUNS = 5

# --- at scale (danvan_crawler/distributed/, docs/SCALE.md) --------------------------------
# Redis URL of a distributed crawl (`danvan seed`, `danvan worker`, `--redis URL`): switches
# SCHEDULER and DUPEFILTER_CLASS to scrapy-redis. Empty: single-process crawls.
DANVAN_REDIS_URL = ""
# Where the portal spider keeps its per-run state: "local" (this process) or "redis" (shared
# by the workers of a distributed crawl; set with DANVAN_REDIS_URL by `danvan worker`).
DANVAN_CRAWL_STATE = "local"
# Key prefix of one distributed crawl in Redis; empty: danvan:<site key> (profile name).
DANVAN_REDIS_PREFIX = ""
# Seconds without a heartbeat after which a worker counts as dead and the requests it
# had taken go back to the queue (a worker stalled that long may see them done twice).
DANVAN_WORKER_TIMEOUT = 60

# --- item pipelines ------------------------------------------------------------------------
# validate -> enrich -> dedupe -> store (danvan_crawler.pipelines.ITEM_PIPELINES).
ITEM_PIPELINES = {
    "danvan_crawler.pipelines.ValidatePipeline": 100,
    "danvan_crawler.pipelines.EnrichPipeline": 300,
    "danvan_crawler.pipelines.DedupePipeline": 400,
    "danvan_crawler.pipelines.StorePipeline": 500,
}

# --- layout-change alarm (danvan_crawler/middlewares/layout.py, danvan_crawler/alarm.py) --
# LayoutWatch records per page what the alarm needs and keeps stored articles from being
# overwritten by versions a fallback degraded; `danvan run` exits 3 when a threshold is crossed.
SPIDER_MIDDLEWARES = {
    # outermost: with a shared queue, ends each leased request once its output is processed
    "danvan_crawler.middlewares.leases.LeaseAcks": 0,
    "danvan_crawler.middlewares.layout.LayoutWatch": 950,
    # pagination trap / page limit, article pages missing required fields re-fetched
    "danvan_crawler.middlewares.spider.PaginationGuard": 900,
    "danvan_crawler.middlewares.spider.ArticleCompleteness": 940,
    # a callback exception (a page extraction cannot handle) is a counted drop, not a crash
    "danvan_crawler.middlewares.spider.CallbackErrors": 960,
}
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
# Garbage collection in a crawl process (``danvan crawl``, ``run``, ``demo``): objects alive
# at start-up are frozen, and the youngest generation is collected every this many new
# containers (Python's 700 is too often for parsed pages by the million). 0: Python's defaults.
DANVAN_GC_THRESHOLD = 20000
