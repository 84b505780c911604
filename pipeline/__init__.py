"""zh-news-ie: extract officials, counts and money amounts from Chinese local news.

>>> import pipeline
>>> nlp = pipeline.load()
>>> article = pipeline.extract("月城镇委书记孙悦海表示,该镇有贫困户259户。", nlp=nlp)
"""
__version__ = "0.1.0"

from .api import extract, load, run  # noqa: E402
from .records import Amount, Article, Count, Evidence, Official  # noqa: E402

__all__ = ["Amount", "Article", "Count", "Evidence", "Official", "__version__", "extract", "load", "run"]
