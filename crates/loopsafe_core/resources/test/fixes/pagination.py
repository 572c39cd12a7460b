import boto3
import stripe
from google.cloud import storage

s3 = boto3.client("s3")
gcs = storage.Client()


async def all_customers():
    out = []
    # Later pages are fetched as the loop runs: moving only `list` would fetch the
    # first page in a thread and the rest on the loop.
    for c in stripe.Customer.list(limit=100).auto_paging_iter():
        out.append(c.id)
    return out


async def all_customers_named():
    listing = stripe.Customer.list(limit=100)
    return [c.id for c in listing.auto_paging_iter()]


async def blobs(bucket):
    return [b.name for b in gcs.list_blobs(bucket)]


async def first_page():
    # One page, used as it is: moving the call moves all the work.
    page = stripe.Customer.list(limit=10)
    return page.data


async def one_listing():
    return s3.list_objects_v2(Bucket="b")
