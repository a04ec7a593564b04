"""Stand-ins for X, Mastodon and Bluesky: real HTTP servers on loopback that speak each API's documented
request and response shapes, with knobs that make them answer as a network does when things go wrong."""
