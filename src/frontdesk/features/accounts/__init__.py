"""Accounts (companies): imported from CSV or the API, matched to visitors by domain or IP range."""

from frontdesk.features.accounts.service import (
    AccountFields,
    ImportResult,
    account_out,
    add_ip_range,
    delete_account,
    delete_ip_range,
    email_domain,
    import_csv,
    list_accounts,
    list_ip_ranges,
    normalise_cidr,
    upsert_account,
)

__all__ = [
    "AccountFields",
    "ImportResult",
    "account_out",
    "add_ip_range",
    "delete_account",
    "delete_ip_range",
    "email_domain",
    "import_csv",
    "list_accounts",
    "list_ip_ranges",
    "normalise_cidr",
    "upsert_account",
]
