"""The other side of each comparison: a minimal Flask JSON route (the ceiling) and a Flask-Login peer."""
