"""Reading input articles: text, HTML and JSONL files, and directories of them."""
from .html import HtmlText, extract_html, html_to_text
from .readers import ACCEPTED_SUFFIXES, InputFailure, SourceArticle, iter_inputs

__all__ = [
    "ACCEPTED_SUFFIXES",
    "HtmlText",
    "InputFailure",
    "SourceArticle",
    "extract_html",
    "html_to_text",
    "iter_inputs",
]
