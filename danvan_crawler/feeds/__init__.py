"""Publishing feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 per category and for all
categories, an OPML list and an HTML index, from the store."""

from danvan_crawler.feeds.publish import (
    DEFAULT_PUBLIC_URL,
    PublishResult,
    SiteOptions,
    build_site,
    publish,
)

__all__ = ["DEFAULT_PUBLIC_URL", "PublishResult", "SiteOptions", "build_site", "publish"]
