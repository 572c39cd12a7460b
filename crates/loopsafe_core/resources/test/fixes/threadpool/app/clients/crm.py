import requests


def fetch_account(account_id):
    return requests.get(f"https://crm/accounts/{account_id}").json()


def fetch_contacts(account_id):
    return requests.get(f"https://crm/accounts/{account_id}/contacts").json()
