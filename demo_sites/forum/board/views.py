"""Forum views: anyone reads; signed-in Masthead users start threads and reply."""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from identity_client.django import get_user

from .models import Reply, Thread


def _sign_in_needed(request):
    return render(request, "board/sign_in_needed.html", status=401)


def _text(request, name: str, limit: int) -> str | None:
    value = request.POST.get(name, "").strip()
    return value if 0 < len(value) <= limit else None


@require_GET
def index(request):
    """All threads, newest first, with their reply counts."""
    from django.db.models import Count

    threads = Thread.objects.annotate(reply_count=Count("replies"))
    return render(request, "board/index.html", {"threads": threads})


@require_POST
def new_thread(request):
    """Start a thread as the signed-in user."""
    user = get_user(request)
    if user is None:
        return _sign_in_needed(request)
    title, body = _text(request, "title", 200), _text(request, "body", 10000)
    if title is None or body is None:
        return HttpResponseBadRequest("A thread needs a title and a message.")
    thread = Thread.objects.create(title=title, body=body, author_id=user.id,
                                   author_name=user.name or user.email)
    return redirect("thread", thread_id=thread.id)


@require_GET
def thread(request, thread_id: int):
    """One thread and its replies."""
    item = get_object_or_404(Thread, pk=thread_id)
    return render(request, "board/thread.html", {"thread": item, "replies": item.replies.all()})


@require_POST
def reply(request, thread_id: int):
    """Reply to a thread as the signed-in user."""
    user = get_user(request)
    if user is None:
        return _sign_in_needed(request)
    item = get_object_or_404(Thread, pk=thread_id)
    body = _text(request, "body", 10000)
    if body is None:
        return HttpResponseBadRequest("A reply needs a message.")
    Reply.objects.create(thread=item, body=body, author_id=user.id, author_name=user.name or user.email)
    return redirect("thread", thread_id=item.id)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
