from fastapi import FastAPI
from geopy.adapters import URLLibAdapter
from geopy.geocoders import Nominatim

app = FastAPI()
# Made once, at import: only its calls run per request.
http = URLLibAdapter(proxies={}, ssl_context=None)


@app.get("/raw")
async def raw(url: str):
    # geopy's urllib adapter: `get_json` -> `get_text` -> `urllib.request.OpenerDirector.open`.
    return http.get_json(url, timeout=10, headers={})


@app.get("/where")
async def where(q: str):
    # Blocks too, but geopy picks the adapter `geocode` goes through at run time (the
    # first of `RequestsAdapter`, `URLLibAdapter` that is installed): nothing proves
    # which, so nothing is reported.
    location = Nominatim(user_agent="loopsafe-test").geocode(q)
    return {"lat": location.latitude, "lon": location.longitude}
