"""Client for Shunya's analysis-job API.

One ``httpx.AsyncClient`` for the whole process: building a client builds an SSL context
and loads the CA bundle, so a client per call would cost tens of milliseconds of CPU on
the event loop and throw away connection reuse.
"""

import httpx

from app.config import settings


class ShunyaAsyncJobService:
    def __init__(self, base_url: str) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, timeout=30.0)

    async def _submit(self, kind: str, payload: dict) -> dict:
        response = await self._client.post(f"/jobs/{kind}", json=payload)
        response.raise_for_status()
        return response.json()

    async def submit_csr_call_job(self, tenant_id: str, call_id: str, recording_url: str) -> dict:
        return await self._submit(
            "csr-call",
            {"tenant_id": tenant_id, "call_id": call_id, "recording_url": recording_url},
        )

    async def submit_sales_visit_job(self, tenant_id: str, session_id: str, audio_url: str) -> dict:
        return await self._submit(
            "sales-visit",
            {"tenant_id": tenant_id, "session_id": session_id, "audio_url": audio_url},
        )

    async def get_job(self, job_id: str) -> dict:
        response = await self._client.get(f"/jobs/{job_id}")
        response.raise_for_status()
        return response.json()

    async def aclose(self) -> None:
        await self._client.aclose()


shunya_async_job_service = ShunyaAsyncJobService(settings.SHUNYA_API_URL)
