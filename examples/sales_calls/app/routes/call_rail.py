"""Plain CallRail API passthrough.

These routes are sync ``def`` functions: FastAPI runs them in its threadpool, so the
blocking ``requests`` calls here do not stall the event loop.
"""

import requests
from fastapi import APIRouter, Request

from app.config import settings

router = APIRouter(prefix="/callrail-api", tags=["callrail"])


def _callrail_get(path: str, params: dict | None = None) -> dict:
    response = requests.get(f"{settings.CALLRAIL_API_URL}{path}", params=params, timeout=10)
    response.raise_for_status()
    return response.json()


@router.get("/calls")
def list_calls(request: Request, page: int = 1) -> dict:
    return _callrail_get("/calls", {"page": page, "tenant": request.state.tenant_id})


@router.get("/calls/{call_id}")
def get_call(call_id: str) -> dict:
    response = requests.get(f"{settings.CALLRAIL_API_URL}/calls/{call_id}", timeout=10)
    response.raise_for_status()
    return response.json()
