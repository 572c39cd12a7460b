"""Account summaries shown next to each call."""

from app.clients import crm


def account_summary(account_id: str) -> dict:
    account = crm.fetch_account(account_id)
    return {
        "id": account["id"],
        "name": account["name"],
        "owner": account.get("owner"),
    }
