"""The last use of asyncio goes: so does its import."""

import asyncio

from service import submit


async def route(payload):
    job = asyncio.run(
        submit(payload)
    )
    return job
