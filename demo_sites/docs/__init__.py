"""Docs (static): plain HTML files with no backend; the bar alone."""
