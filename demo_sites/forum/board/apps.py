from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "demo_sites.forum.board"
    label = "board"
    default_auto_field = "django.db.models.BigAutoField"
