import asyncio


async def fetch(x):
    return x


async def handler(task, loop):
    a = asyncio.run(fetch(1))
    b = asyncio.run(task)
    c = asyncio.run(fetch(3), debug=True)
    d = loop.run_until_complete(fetch(4))
    e = asyncio.get_event_loop().run_until_complete(fetch(5))
    f = asyncio.run(fetch(6)).real
    g = asyncio.run(  # the comment goes with the wrapper
        fetch(7)
    )
    return a, b, c, d, e, f, g


async def main():
    await handler(None, None)


if __name__ == "__main__":
    asyncio.run(main())
