"""CallRail webhooks, enhanced with Shunya's call analysis."""

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.services.shunya_async_job_service import shunya_async_job_service

router = APIRouter(prefix="/callrail", tags=["callrail"])


class CallCompleted(BaseModel):
    call_id: str
    recording_url: str


@router.post("/calls/completed")
async def call_completed(event: CallCompleted, request: Request) -> dict:
    tenant_id = request.state.tenant_id
    job = asyncio.run(
        shunya_async_job_service.submit_csr_call_job(tenant_id, event.call_id, event.recording_url)
    )
    return {"call_id": event.call_id, "job_id": job["id"], "status": job["status"]}
