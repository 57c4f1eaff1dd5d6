"""The forum's one Django app: threads and replies."""
