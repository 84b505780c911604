"""Review pages: a static HTML site showing every extraction and its evidence.

``pipeline show INPUT... --output DIR [--records OUT.jsonl]`` (or
:func:`build_site`) writes ``DIR/index.html`` (articles with their fact and
error counts, a per-place summary with bar charts) and one page per article
under ``DIR/articles/``: the original text with entity mentions highlighted
by type, the relations (official → title → place, count → place, amount →
place) with rule, confidence and evidence sentence, a facts table, and the
article's errors.  Pages need no server and make no network request.
"""
from __future__ import annotations

from .build import SiteReport, build_site, read_records
from .markup import Span, highlight
from .model import ArticlePage, Entity, Relation, build_page, doc_entities
from .site import SiteWriter, content_security_policy

__all__ = [
    "ArticlePage", "Entity", "Relation", "SiteReport", "SiteWriter", "Span", "build_page", "build_site",
    "content_security_policy", "doc_entities", "highlight", "read_records",
]
