"""Tenant resolution: every authenticated request carries a Clerk session token.

The middleware verifies the token against Clerk's JWKS (cached for an hour) and puts the
tenant (the Clerk organization) on ``request.state``. Tokens issued before the user joined
an organization have no ``org_id`` claim; for those it asks Clerk for the user's
organization memberships.
"""

import json
import time

import jwt
import requests
from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware

from app.config import settings

JWKS_CACHE_SECONDS = 3600
PUBLIC_PATHS = {"/health", "/docs", "/openapi.json"}

_jwks_cache: dict = {"keys": None, "fetched_at": 0.0}


class TenantMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if request.url.path in PUBLIC_PATHS:
            return await call_next(request)

        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            return JSONResponse({"detail": "missing bearer token"}, status_code=401)
        token = auth.split(" ", 1)[1]

        try:
            claims = await self._verify(token)
        except jwt.PyJWTError as exc:
            return JSONResponse({"detail": f"invalid token: {exc}"}, status_code=401)

        org_id = claims.get("org_id")
        if not org_id:
            org_id = await self._lookup_org(claims["sub"])
        if not org_id:
            return JSONResponse({"detail": "user has no organization"}, status_code=403)

        request.state.user_id = claims["sub"]
        request.state.tenant_id = org_id
        return await call_next(request)

    async def _verify(self, token: str) -> dict:
        jwks_data = await self._get_jwks()
        kid = jwt.get_unverified_header(token).get("kid")
        for key in jwks_data["keys"]:
            if key.get("kid") == kid:
                public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key))
                return jwt.decode(token, public_key, algorithms=["RS256"])
        raise jwt.InvalidKeyError(f"no JWKS key with kid {kid!r}")

    async def _get_jwks(self) -> dict:
        now = time.monotonic()
        if _jwks_cache["keys"] and now - _jwks_cache["fetched_at"] < JWKS_CACHE_SECONDS:
            return _jwks_cache["keys"]
        response = requests.get(settings.clerk_jwks_url, timeout=10)
        response.raise_for_status()
        jwks_data = response.json()
        _jwks_cache["keys"] = jwks_data
        _jwks_cache["fetched_at"] = now
        return jwks_data

    async def _lookup_org(self, user_id: str) -> str | None:
        headers = {"Authorization": f"Bearer {settings.CLERK_SECRET_KEY}"}
        response = requests.get(
            f"{settings.CLERK_API_URL}/users/{user_id}/organization_memberships",
            headers=headers,
            timeout=10,
        )
        response.raise_for_status()
        memberships = response.json()
        for membership in memberships.get("data", []):
            return membership["organization"]["id"]
        return None
