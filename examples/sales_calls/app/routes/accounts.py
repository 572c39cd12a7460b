"""CRM accounts, as the call screens show them."""

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from starlette.concurrency import run_in_threadpool

from app.clients import crm
from app.dependencies import FeatureFlags, get_feature_flags
from app.services.accounts import account_summary

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.get("/{account_id}")
async def get_account(
    account_id: str,
    request: Request,
    background_tasks: BackgroundTasks,
    flags: FeatureFlags = Depends(get_feature_flags),
) -> dict:
    summary = account_summary(account_id)
    if flags.is_enabled("account-insights", request.state.tenant_id):
        summary["insights"] = True
    # Runs after the response is sent, in the threadpool.
    background_tasks.add_task(crm.record_view, account_id, request.state.tenant_id)
    return summary


@router.get("/{account_id}/contacts")
async def get_contacts(account_id: str) -> dict:
    # Already offloaded: the sync client runs in the threadpool.
    contacts = await run_in_threadpool(crm.fetch_contacts, account_id)
    return {"account_id": account_id, "contacts": contacts}
