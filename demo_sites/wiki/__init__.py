"""Wiki (Bottle): pages with an edit history that shows who changed what."""
