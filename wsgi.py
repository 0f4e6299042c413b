"""WSGI entry point: the Flask CLI (``FLASK_APP=wsgi``), Celery, and plain WSGI servers.

The web server entry point is ``asgi.py`` (status streams without a thread each).
"""

from luneo_app import create_app

app = create_app()
