import requests


async def charge(amount):
    # Another module catches `requests.HTTPError` around this call: httpx would raise
    # `httpx.HTTPStatusError` there instead, so the fix is only suggested.
    response = requests.post("https://billing/charges", json={"amount": amount})
    response.raise_for_status()
    return response.json()
