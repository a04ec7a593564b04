"""`make demo`: three sample bots, their feeds served on loopback, one simulated day."""
