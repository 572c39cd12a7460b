import requests


async def fetch(u):
    # `raise_for_status()` would raise `httpx.HTTPStatusError`, which the handler in
    # `load` below does not catch: the fix is only suggested.
    response = requests.get(u)
    response.raise_for_status()
    return response.json()


async def load(u):
    try:
        return await fetch(u)
    except requests.HTTPError:
        return None


async def guarded(u):
    # Its own handler could be mapped with it, but the handler in `load` may catch what
    # this call raises too (loopsafe does not follow every caller): only suggested.
    try:
        return requests.get(u, timeout=3).json()
    except requests.Timeout:
        return None
