# Luneo application image: the same image runs the web app (gunicorn) and Celery workers.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    FLASK_APP=wsgi

RUN apt-get update \
 && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 curl libraqm0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 luneo

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN chown -R luneo:luneo /app
USER luneo

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
# asgi:app: Flask on WEB_THREADS threads per process, status streams served async by uvicorn.
# No server access log: the app logs each request itself, without query strings (tokens).
CMD ["gunicorn", "asgi:app", "-k", "uvicorn_worker.UvicornWorker", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "60", "--graceful-timeout", "15"]
