"""Web entry point: ``uvicorn asgi:app`` or ``gunicorn asgi:app -k uvicorn_worker.UvicornWorker``.

The Flask app runs in a thread pool (``WEB_THREADS``); status streams are served async by the
front, without a thread each (see ``luneo_app/realtime/front.py``).
"""

from luneo_app import create_app
from luneo_app.realtime.front import StreamFront

flask_app = create_app()
app = StreamFront(flask_app)
