import time
from time import sleep as nap


async def poll(ready):
    started = time.monotonic()
    while not ready():
        time.sleep(0.1)
    nap(0.5)
    waits = list(time.sleep(t) for t in (1, 2))
    return time.monotonic() - started, waits
