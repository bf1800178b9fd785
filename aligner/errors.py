"""Errors a user can act on. The CLI and the API turn these into one-line messages / 4xx."""


class AlignerError(Exception):
    """Base class of every error meant for the user (never shown as a traceback)."""


class InputError(AlignerError):
    """A file cannot be used: missing, empty, binary, undecodable, too large, malformed XML."""


class UnknownLanguageError(AlignerError):
    """A language code the segmenter or encoder does not support."""


class ModelError(AlignerError):
    """An encoder cannot be loaded (e.g. not in the local cache while offline)."""
