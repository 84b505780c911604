"""Rule and gazetteer entity finders (places, titles, persons).

The finders are pure functions over text returning :class:`Mention` objects
with character offsets; ``pipeline.stages.entities`` wraps them as a spaCy
component that writes ``doc.spans``.
"""
from .mention import Mention

__all__ = ["Mention"]
