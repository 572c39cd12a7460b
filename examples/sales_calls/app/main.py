"""The sales-calls API: CallRail webhooks, recording uploads, tenant-aware auth."""

from fastapi import FastAPI

from app.middleware.tenant import TenantMiddleware
from app.routes import accounts, call_rail, enhanced_callrail, recording_sessions

app = FastAPI(title="Sales Calls")
app.add_middleware(TenantMiddleware)

app.include_router(enhanced_callrail.router)
app.include_router(recording_sessions.router)
app.include_router(call_rail.router)
app.include_router(accounts.router)


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}
