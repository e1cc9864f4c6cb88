"""Spiders of danvan-crawler (``portal``: the provincial party portal and its sub-sites)."""
