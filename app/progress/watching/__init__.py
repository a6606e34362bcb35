"""Verified watching and reading time: heartbeats in, verified seconds and completions out.

- ``viewer``: the member's viewer row (one viewing session, the wall-clock budget) and its one
  read-lock-write path, shared by video and reading heartbeats and the pages that open a session;
- ``heartbeats``: video heartbeats (the union of played intervals), with ``rows``, their Core reads
  and writes;
- ``reading``: reading heartbeats from the library's reading page;
- ``viewing``: the signed viewing tokens a player's heartbeats carry instead of the cookie session;
- ``refusals``: the heartbeat envelope, ``HeartbeatRefused`` and the record of refusals.
"""
