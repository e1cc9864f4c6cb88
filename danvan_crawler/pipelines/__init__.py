"""Item pipelines: validate -> enrich -> deduplicate -> store.

Each stage is a small class built ``from_crawler``, configured by settings, counting
what it does in stats under ``danvan/<stage>/...``:

- :class:`ValidatePipeline` (``danvan/validate/ok``, ``danvan/validate/dropped/<reason>``):
  required fields present and sane, else the item is dropped with the reason logged.
- :class:`EnrichPipeline` (``danvan/enrich/...``): ``documentRefs``, ``places``.
- :class:`DedupePipeline` (``danvan/dedupe/<reason>``): the same id twice in a run is
  merged into the first; re-published copies get ``duplicateOf``.
- :class:`StorePipeline` (``danvan/store/new|updated|unchanged|merged``): upserts into the
  store (setting ``DANVAN_DB``) and lets only new or updated articles through, with
  ``change`` set, so a FEEDS export holds only what changed.

Text is cleaned and URLs canonicalized where the page is read (``danvan_crawler.extract``,
with the profile's tracking parameters and ``DANVAN_TRACKING_PARAMS``): no stage does it
again.

:data:`ITEM_PIPELINES` is the order to put in the project settings.
"""

from danvan_crawler.pipelines.dedupe import DedupePipeline
from danvan_crawler.pipelines.enrich import EnrichPipeline
from danvan_crawler.pipelines.store import StorePipeline
from danvan_crawler.pipelines.validate import ValidatePipeline

ITEM_PIPELINES: dict[str, int] = {
    "danvan_crawler.pipelines.ValidatePipeline": 100,
    "danvan_crawler.pipelines.EnrichPipeline": 300,
    "danvan_crawler.pipelines.DedupePipeline": 400,
    "danvan_crawler.pipelines.StorePipeline": 500,
}

__all__ = [
    "ITEM_PIPELINES",
    "DedupePipeline",
    "EnrichPipeline",
    "StorePipeline",
    "ValidatePipeline",
]
