"""Threads and replies, attributed to Masthead users (id and the name they had when they wrote)."""

from django.db import models


class Thread(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=10000)
    author_id = models.CharField(max_length=64, db_index=True)
    author_name = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title


class Reply(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(max_length=10000)
    author_id = models.CharField(max_length=64, db_index=True)
    author_name = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]
