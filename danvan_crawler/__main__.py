"""``python -m danvan_crawler`` is the ``danvan`` command."""

import sys

from danvan_crawler.cli import main

sys.exit(main())
