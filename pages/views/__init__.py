"""Cached builders of what each page shows (one module per page; issue 7)."""
