"""gunicorn settings for 网上党校: `gunicorn -c docs/deploy/gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment (GUNICORN_BIND, GUNICORN_WORKERS, ...).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: requests are short (files go out through nginx's X-Accel-Redirect).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# Load the app (and jieba's dictionary, ~1 s and tens of MB) once in the master; workers share it.
preload_app = True
# Video uploads are streamed through the app: allow slow clients a long request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 300))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (plus jitter) so slow leaks cannot grow forever.
max_requests = 2000
max_requests_jitter = 200
# Trust X-Forwarded-* only from nginx on this host.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
# Client address (from nginx), request, status, bytes, duration in microseconds.
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'
