"""Client for the CRM's REST API.

One ``requests.Session`` for the process, so connections to the CRM are reused.
"""

import requests

from app.config import settings

_session = requests.Session()
_session.headers.update({"Accept": "application/json"})


def fetch_account(account_id: str) -> dict:
    response = _session.get(f"{settings.CRM_API_URL}/accounts/{account_id}", timeout=5)
    response.raise_for_status()
    return response.json()


def fetch_contacts(account_id: str) -> list:
    response = _session.get(f"{settings.CRM_API_URL}/accounts/{account_id}/contacts", timeout=5)
    response.raise_for_status()
    return response.json()["contacts"]


def record_view(account_id: str, tenant_id: str) -> None:
    _session.post(
        f"{settings.CRM_API_URL}/accounts/{account_id}/views",
        json={"tenant_id": tenant_id},
        timeout=5,
    )
