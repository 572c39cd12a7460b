"""Background analysis jobs.

Celery tasks run in worker processes, not on the API's event loop, so bridging to the
async Shunya client with ``asyncio.run`` is the right tool here.
"""

import asyncio

import requests

from app.celery_app import celery_app
from app.config import settings
from app.services.shunya_async_job_service import shunya_async_job_service


@celery_app.task(name="analysis.resubmit_csr_call")
def resubmit_csr_call(tenant_id: str, call_id: str, recording_url: str) -> dict:
    return asyncio.run(
        shunya_async_job_service.submit_csr_call_job(tenant_id, call_id, recording_url)
    )


@celery_app.task(name="analysis.poll_job")
def poll_job(job_id: str) -> dict:
    job = asyncio.run(shunya_async_job_service.get_job(job_id))
    if job["status"] == "done":
        requests.post(f"{settings.CALLRAIL_API_URL}/notes", json={"job": job_id}, timeout=10)
    return job
