"""WSGI entry point: ``gunicorn wsgi:app``; ``flask`` finds ``app`` here with no flags."""

from clearance.app import create_app

app = create_app()
