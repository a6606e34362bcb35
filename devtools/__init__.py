"""Tools shared by the tests, `make deploy-check` and the benchmarks; the application never imports them.

Benchmarks are not tests, so they do not import ``tests``: what both need lives here.
``stack`` starts the production stack on loopback; ``clips`` makes real video clips with ffmpeg;
``nginx_rtmp`` runs nginx's RTMP module for live lessons and pushes a test stream with ffmpeg.
"""
