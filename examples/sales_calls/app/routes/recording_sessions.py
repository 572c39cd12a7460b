"""Sales reps upload visit recordings from the mobile app."""

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.services.shunya_async_job_service import shunya_async_job_service

router = APIRouter(prefix="/recording-sessions", tags=["recordings"])


class RecordingUploaded(BaseModel):
    audio_url: str


@router.post("/{session_id}/complete")
async def complete_session(session_id: str, body: RecordingUploaded, request: Request) -> dict:
    tenant_id = request.state.tenant_id
    job = asyncio.run(
        shunya_async_job_service.submit_sales_visit_job(tenant_id, session_id, body.audio_url)
    )
    return {"session_id": session_id, "job_id": job["id"], "status": job["status"]}
