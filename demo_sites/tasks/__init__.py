"""Tasks (FastAPI): a JSON API taking ``Authorization: Bearer`` app tokens, and a page that uses it."""
