"""Classifying conversations: qualified, tags, deal value and notes; filters for Recent."""
