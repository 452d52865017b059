"""Assemble the web app on NiceGUI's FastAPI app and run it.

``build`` registers the JSON API, its offline documentation and the pages; tests call
it inside NiceGUI's user simulation, ``serve`` calls it and then runs the server.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from nicegui import app, ui
from nicegui.storage import Storage

from tenure import __version__
from tenure.jobs.scheduler import Scheduler
from tenure.settings.service import DEFAULT_DATA_DIR
from tenure.usage.service import events_path
from tenure.web import context
from tenure.web.api import (
    accounts,
    auth,
    book,
    briefing,
    health,
    ingest,
    notifications,
    playbooks,
    revenue,
    rules,
    segments,
    tasks,
    team,
    timeline,
    users,
)
from tenure.web.pages import register_pages

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
DOCS_ASSETS = "/_tenure/docs"
TITLE = "Tenure"


def api_router() -> APIRouter:
    """Return every JSON route under one router."""
    router = APIRouter(prefix=API_PREFIX)
    for module in (
        auth,
        accounts,
        health,
        revenue,
        users,
        tasks,
        timeline,
        notifications,
        rules,
        segments,
        playbooks,
        book,
        briefing,
        team,
    ):
        router.include_router(module.router)
    return router


def _docs() -> None:
    """Serve the OpenAPI schema, /docs and /redoc, with assets from installed packages.

    The documentation pages load Swagger UI and ReDoc from the fastapi-offline
    package rather than from a CDN, so they work without internet access.
    """
    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=assets), name="docs-assets")

    @app.get("/openapi.json", include_in_schema=False)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{TITLE} API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title=f"{TITLE} API",
            redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )


def _background(run_jobs: bool) -> None:
    """Own the event store while serving and, if asked, run the jobs on schedule."""
    scheduler = Scheduler(context.factory, context.event_store)

    def start() -> None:
        context.open_event_store(events_path())
        if run_jobs:
            scheduler.start()

    def stop() -> None:
        scheduler.stop()
        context.close_event_store()

    app.on_startup(start)
    app.on_shutdown(stop)


def build(database_url: str, *, run_jobs: bool = True) -> None:
    """Register the API, the tracking endpoints, the docs and the pages on the app."""
    context.configure(database_url)
    app.title = TITLE
    app.version = __version__
    app.description = "Recurring revenue, renewals and customers of a SaaS company."
    app.include_router(api_router())
    app.include_router(ingest.router)
    _docs()
    register_pages()
    _background(run_jobs)
    app.on_shutdown(context.dispose)


def storage_secret() -> str:
    """Return the secret signing session cookies: TENURE_SECRET_KEY or a kept file."""
    configured = os.environ.get("TENURE_SECRET_KEY")
    if configured:
        return configured
    path = DEFAULT_DATA_DIR / "secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def run_options() -> dict[str, Any]:
    """Options of ``ui.run`` shared by the server and the tests."""
    return {
        "title": TITLE,
        "favicon": "📈",
        "reload": False,
        "show": False,
        "show_welcome_message": False,
        "fastapi_docs": False,
        "viewport": "width=device-width, initial-scale=1",
        "session_middleware_kwargs": {"same_site": "lax", "max_age": 30 * 24 * 3600},
    }


def use_storage_path(path: Path) -> None:
    """Keep NiceGUI's per-browser storage (it holds session tokens) under ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    Storage.path = path.resolve()
    app.storage = Storage()


def serve(database_url: str, host: str, port: int) -> None:
    """Build the app and serve it until interrupted."""
    if "NICEGUI_STORAGE_PATH" not in os.environ:
        use_storage_path(DEFAULT_DATA_DIR / "web-storage")
    build(database_url)
    ui.run(host=host, port=port, storage_secret=storage_secret(), **run_options())
