import requests

from app.billing import charge


async def checkout(amount):
    try:
        return await charge(amount)
    except requests.HTTPError:
        return None
