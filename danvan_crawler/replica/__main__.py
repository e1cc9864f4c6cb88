"""``python -m danvan_crawler.replica``: start the replica portal."""

import sys

from danvan_crawler.replica.app import main

sys.exit(main())
