"""botwarden: feed bots for X, Mastodon and Bluesky that check every action against the automation rules."""

__version__ = "0.1.0"
