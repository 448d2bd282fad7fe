"""A minimal Django project (configured in code) wrapped in ContextMiddleware."""

from __future__ import annotations

import asyncio
from typing import Any

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="ctxcore-test-only",
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["*"],
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
    )
    django.setup()

from ctxcore.adapters.middleware import ContextMiddleware, current_request_id
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, JsonResponse
from django.urls import path

from tests.adapters.foreign import local


async def tag_view(request: HttpRequest, tag: str) -> JsonResponse:
    fresh = not hasattr(local, "tag")
    local.tag = tag
    rid = current_request_id()
    await asyncio.sleep(0.001)
    still = local.tag == tag and current_request_id() == rid
    return JsonResponse({"tag": tag, "fresh": fresh, "rid": rid, "still": still})


urlpatterns: list[Any] = [path("tag/<str:tag>", tag_view)]

asgi = ContextMiddleware(get_asgi_application())
wsgi = ContextMiddleware(get_wsgi_application())
