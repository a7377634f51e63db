"""User-facing errors: each message says what went wrong and what to do about it."""


class RagError(Exception):
    """Base class; the CLI and UI show str(err) to the user instead of a traceback."""


class InputError(RagError):
    """The question or file given by the user cannot be used."""


class IndexLockedError(RagError):
    pass


class IndexMismatchError(RagError):
    pass


class EmptyIndexError(RagError):
    """Asked before anything was indexed (or after switching stores): say so instead of answering
    that the articles hold nothing."""


class BackendUnavailableError(RagError):
    pass


class ModelFileError(RagError):
    pass


class GenerationTimeoutError(RagError):
    pass
