"""An item pipeline for tests of distributed crawls: after the store (and a pause, so an
acknowledgement made too early has happened by then), is the article's request still
leased to this worker? Logs ``lease held: <id>`` or ``lease lost: <id>``."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

PAUSE = 0.3


class LeaseCheck:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseCheck:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        await asyncio.sleep(PAUSE)
        assert self.crawler.engine is not None
        scheduler: Any = self.crawler.engine.scheduler
        queue = scheduler.queue
        members = scheduler.server.zrange(scheduler.inflight_key(scheduler.worker_id), 0, -1)
        leased = {queue.serializer.loads(m)["meta"].get("danvan_article_id") for m in members}
        article_id = ItemAdapter(item)["articleId"]
        logger.info("lease %s: %s", "held" if article_id in leased else "lost", article_id)
        return item
