"""zh-news-ie: extract officials, counts and money from Chinese local news."""
__version__ = "0.1.0"
