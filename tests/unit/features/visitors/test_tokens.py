"""Visitor tokens across a secret-key rotation: issued with the current key, read with the
current and the previous ones, refused once the old key is removed."""

from __future__ import annotations

from frontdesk.features.visitors.tokens import issue_visitor_token, read_visitor_token

OLD = "old-secret-" + "o" * 32
NEW = "new-secret-" + "n" * 32
ORG = "org1"
VISITOR = "v" * 32


def test_a_token_signed_with_the_previous_key_verifies_until_that_key_is_removed() -> None:
    old_token = issue_visitor_token(OLD, ORG, VISITOR)
    assert read_visitor_token((NEW, OLD), ORG, old_token) == VISITOR  # rotated, old key listed
    assert read_visitor_token((NEW,), ORG, old_token) is None  # the old key removed
    assert read_visitor_token(NEW, ORG, old_token) is None


def test_new_tokens_are_signed_with_the_current_key_only() -> None:
    new_token = issue_visitor_token(NEW, ORG, VISITOR)
    assert read_visitor_token((NEW, OLD), ORG, new_token) == VISITOR
    assert read_visitor_token(NEW, ORG, new_token) == VISITOR
    assert read_visitor_token((OLD,), ORG, new_token) is None


def test_a_previous_key_does_not_make_a_token_valid_for_another_org_or_visitor() -> None:
    old_token = issue_visitor_token(OLD, ORG, VISITOR)
    assert read_visitor_token((NEW, OLD), "org2", old_token) is None
    forged = "w" * 32 + "." + old_token.split(".", 1)[1]
    assert read_visitor_token((NEW, OLD), ORG, forged) is None
