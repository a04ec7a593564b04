"""Composing posts: templates, hashtags, link hygiene and per-network text that fits."""

from botwarden.compose.draft import Draft, HashtagPolicy, ItemFields, compose, shorten
from botwarden.compose.hashtags import hashtags_for, to_hashtag
from botwarden.compose.links import canonical_link
from botwarden.compose.template import DEFAULT_TEMPLATE, fields_of, render
from botwarden.errors import TemplateError

__all__ = [
    "DEFAULT_TEMPLATE",
    "Draft",
    "HashtagPolicy",
    "ItemFields",
    "TemplateError",
    "canonical_link",
    "compose",
    "fields_of",
    "hashtags_for",
    "render",
    "shorten",
    "to_hashtag",
]
