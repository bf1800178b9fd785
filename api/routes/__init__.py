"""All API routes, gathered under ``/api`` (one router per area, each with its tag)."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import alignments, documents, export, projects, review, views

api_router = APIRouter(prefix="/api")
api_router.include_router(projects.router)
api_router.include_router(documents.router)
api_router.include_router(alignments.router)
api_router.include_router(review.router)
api_router.include_router(export.router)
api_router.include_router(views.router)


@api_router.get("/health", tags=["meta"], summary="Liveness check")
def health() -> dict:
    return {"status": "ok"}
