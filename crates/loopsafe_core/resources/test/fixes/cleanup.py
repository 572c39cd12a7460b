import time

import requests


def release(lock_id):
    requests.delete(f"https://locks/{lock_id}")


async def finally_block(lock_id):
    try:
        time.sleep(0.5)
    finally:
        # A cancellation at an `await` here would skip the rest of the clean-up.
        time.sleep(0.1)
        release(lock_id)


async def reraising(lock_id):
    try:
        release(lock_id)
    except ValueError:
        time.sleep(0.1)
        raise


async def swallowing(lock_id):
    try:
        release(lock_id)
    except ValueError:
        # Nothing is raised from here: an `await` is fine.
        time.sleep(0.1)


async def defined_in_finally(lock_id):
    try:
        release(lock_id)
    finally:

        async def later():
            # Runs when it is called, not in the `finally:` block.
            time.sleep(0.1)

        await later()
