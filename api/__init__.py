"""HTTP API and review page over the aligner store (FastAPI).

``create_app(settings)`` in :mod:`api.main` builds the app; ``aligner serve`` runs it.
Only this package (and ``frontend/``) knows about the web; it calls ``aligner`` for all work.
"""
