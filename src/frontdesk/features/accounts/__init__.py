"""Accounts (companies): imported from CSV or the API, matched to visitors by domain or IP range."""

from frontdesk.features.accounts.service import (
    AccountFields,
    ImportResult,
    account_out,
    email_domain,
    get_account,
    import_csv,
    normalise_cidr,
    upsert_account,
)

__all__ = [
    "AccountFields",
    "ImportResult",
    "account_out",
    "email_domain",
    "get_account",
    "import_csv",
    "normalise_cidr",
    "upsert_account",
]
