import requests as rq


async def get_json(u):
    return rq.get(u).json()


async def variants(u):
    rq.post(u, data="raw body", timeout=5)
    rq.post(u, json={"a": 1})
    rq.get(u, allow_redirects=False)
    rq.head(u)
    rq.request("GET", u, params={"q": 1})


async def guarded(u):
    try:
        response = rq.get(u, timeout=3)
        response.raise_for_status()
    except rq.exceptions.Timeout:
        return None
    except (rq.HTTPError, rq.RequestException):
        return None
    return response.json()


async def downgraded(u, options):
    rq.get(u, verify=False)
    rq.get(u, stream=True)
    rq.get(u, **options)
    rq.get(u, timeout=(3, 10))
    r = rq.get(u)
    for chunk in r.iter_content(1024):
        print(chunk)
    if rq.get(u).ok:
        return True
