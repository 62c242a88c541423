"""Accounts (companies): imported from CSV or the API, matched to visitors by domain or IP range."""
