import requests


async def no_timeout(u):
    # requests waits as long as the server takes: the shared client keeps that
    # (`timeout=None`) rather than httpx's 5 s default.
    return requests.get(u).json()


async def own_timeout(u):
    # The call's own timeout is kept as written.
    return requests.get(u, timeout=30).json()

