"""Classifying conversations: qualified, tags, deal value and notes; filters for Recent."""

from frontdesk.features.classification.service import classify

__all__ = ["classify"]
