"""Sensitive and abusive language lists (BW409, BW803): data files plus the operator's own terms."""

from botwarden.language.terms import TermList, abusive_terms, sensitive_terms

__all__ = ["TermList", "abusive_terms", "sensitive_terms"]
