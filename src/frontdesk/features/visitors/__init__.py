"""Site visitors: anonymous identity, verified contacts, visits and page views."""
