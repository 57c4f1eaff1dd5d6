from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("threads", views.new_thread, name="new_thread"),
    path("threads/<int:thread_id>", views.thread, name="thread"),
    path("threads/<int:thread_id>/replies", views.reply, name="reply"),
    path("healthz", views.healthz, name="healthz"),
]
