"""Request dependencies."""

import requests

from app.config import settings


class FeatureFlags:
    """Reads per-tenant feature flags from the flag service."""

    def __init__(self) -> None:
        self._http = requests.Session()

    def is_enabled(self, flag: str, tenant_id: str) -> bool:
        response = self._http.get(
            f"{settings.FLAGS_API_URL}/{flag}", params={"tenant": tenant_id}, timeout=5
        )
        return response.ok and response.json().get("enabled", False)


_flags = FeatureFlags()


def get_feature_flags() -> FeatureFlags:
    return _flags
