"""Threads and replies, attributed to Masthead users (id and the name they had when they wrote)."""

from django.db import models


class Authored(models.Model):
    """A text someone wrote: their Masthead user id and the name they had then, and when."""

    body = models.TextField(max_length=10000)
    author_id = models.CharField(max_length=64, db_index=True)
    author_name = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Thread(Authored):
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title


class Reply(Authored):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="replies")

    class Meta:
        ordering = ["created"]
