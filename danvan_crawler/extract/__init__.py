"""Pure extraction over HTML (parsel/lxml): no Scrapy import, callable from tests.

- :class:`ArticlePage` (``article.py``): every article field the page itself gives.
- :class:`ListingPage` (``listing.py``): article entries, pagination, title, banner.
- ``navigation.py``: category and sub-site links found anywhere by URL pattern.
"""

from danvan_crawler.extract.article import ArticlePage, ArticleResult
from danvan_crawler.extract.listing import ListingEntry, ListingPage
from danvan_crawler.extract.navigation import (
    CategoryLink,
    SubSiteLink,
    find_article_links,
    find_categories,
    find_subsites,
)

__all__ = [
    "ArticlePage",
    "ArticleResult",
    "CategoryLink",
    "ListingEntry",
    "ListingPage",
    "SubSiteLink",
    "find_article_links",
    "find_categories",
    "find_subsites",
]
