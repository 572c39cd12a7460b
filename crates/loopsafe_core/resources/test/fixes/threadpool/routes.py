from starlette.concurrency import run_in_threadpool

from app.clients import crm


async def route(account_id):
    # The module already runs sync code with Starlette's threadpool: the fix does too.
    contacts = await run_in_threadpool(crm.fetch_contacts, account_id)
    summary = crm.fetch_account(account_id)
    return summary, contacts
