"""民政 civil affairs: benefits and assistance applications (API key, GBK CSV exports, offset pages)."""
