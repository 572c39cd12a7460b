"""Settings, read from the environment."""

import os


class Settings:
    def __init__(self) -> None:
        self.clerk_jwks_url = os.environ.get(
            "CLERK_JWKS_URL", "http://127.0.0.1:9100/.well-known/jwks.json"
        )
        self.CLERK_API_URL = os.environ.get("CLERK_API_URL", "http://127.0.0.1:9100/v1")
        self.CLERK_SECRET_KEY = os.environ.get("CLERK_SECRET_KEY", "sk_test_local")
        self.SHUNYA_API_URL = os.environ.get("SHUNYA_API_URL", "http://127.0.0.1:9100/shunya")
        self.CALLRAIL_API_URL = os.environ.get("CALLRAIL_API_URL", "http://127.0.0.1:9100/callrail")
        self.CRM_API_URL = os.environ.get("CRM_API_URL", "http://127.0.0.1:9100/crm")
        self.FLAGS_API_URL = os.environ.get("FLAGS_API_URL", "http://127.0.0.1:9100/flags")
        self.CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")


settings = Settings()
