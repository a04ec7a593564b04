"""The running service: the loop (``loop.py``) and the jobs of one pass: ingest, publish, recover, inbound."""
