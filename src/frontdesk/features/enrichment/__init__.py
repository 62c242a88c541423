"""Enrichment: who is behind a visitor's IP (offline ASN and country data, an admin's IP ranges,
an optional external firmographics provider). Every value keeps its source and a confidence."""
