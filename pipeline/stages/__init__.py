"""spaCy components of the pipeline, one module per stage.

Importing this package registers every factory with spaCy.
"""
from . import entities, hanlp_ner, ner, numbers, places, relations, scope  # noqa: F401
