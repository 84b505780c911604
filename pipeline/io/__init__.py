"""Reading input articles: text, HTML and JSONL files, and directories of them."""
from .decoding import Decoded, DecodeProblem, decode_bytes
from .html import HtmlText, extract_html, html_to_text
from .paths import UnsafePathError, safe_name, safe_output_path
from .readers import ACCEPTED_SUFFIXES, InputFailure, SourceArticle, iter_inputs

__all__ = [
    "ACCEPTED_SUFFIXES",
    "DecodeProblem",
    "Decoded",
    "HtmlText",
    "InputFailure",
    "SourceArticle",
    "UnsafePathError",
    "decode_bytes",
    "extract_html",
    "html_to_text",
    "iter_inputs",
    "safe_name",
    "safe_output_path",
]
