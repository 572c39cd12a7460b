from celery import Celery

from app.config import settings

celery_app = Celery("sales_calls", broker=settings.CELERY_BROKER_URL)
