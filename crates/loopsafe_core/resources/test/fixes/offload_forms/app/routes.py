import asyncio

from app.clients import fetch_report


async def page(report_id):
    return fetch_report(report_id)


async def pages(ids):
    return [await asyncio.to_thread(fetch_report, i) for i in ids]


async def batch(ids):
    return await asyncio.gather(*(asyncio.to_thread(fetch_report, i) for i in ids))
