"""gunicorn configuration of one app server (deploy/systemd/portail-web@.service).

    gunicorn --config deploy/gunicorn.conf.py --bind 127.0.0.1:8001

Slow clients (issue 14): a sync worker reads a request's headers itself, so as many clients
as workers trickling their headers one byte a second stop the site. Here each worker runs
`threads` threads (gthread): a slow client holds one thread, the others keep answering, up
to `workers × threads` slow clients at once. In production nginx sits in front
(deploy/nginx/portail.conf): it reads whole requests itself, within client_header_timeout
and client_body_timeout, and passes only complete requests on, so slow clients never reach
gunicorn at all; the threads cover the app server reached without the proxy (or an
internal health probe) and a slow upload that nginx has already buffered.

Tests: tests/quality/test_deploy.py (this file loads; six slow clients do not stop the site).
"""

import os

# Listening address: the unit's --bind overrides it (two app servers: 8001 and 8002).
bind = ["127.0.0.1:8001"]

# Threads answer while slow clients hold connections; a worker process per core.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", str(os.cpu_count() or 2)))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# A worker silent for `timeout` seconds is killed and replaced (a stuck request); on
# restart or reload, requests in progress get `graceful_timeout` seconds to finish.
timeout = 30
graceful_timeout = 30
# Idle keep-alive connections from nginx (upstream keepalive) stay open this long.
keepalive = 5

# Workers are replaced after about this many requests (memory growth), not all at once.
max_requests = 1000
max_requests_jitter = 100

# nginx on the same machine: its X-Forwarded-Proto makes the request secure. The client's
# address is read from X-Forwarded-For by the portal itself (PORTAL_TRUSTED_PROXIES).
forwarded_allow_ips = "127.0.0.1,::1"

# Access log on standard output (journald with systemd), with the client's address as nginx
# saw it; errors on standard error.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%({x-forwarded-for}i)s %(l)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'

# Header limits (gunicorn's defaults, written down): a longer line or more fields get a 400.
limit_request_line = 4094
limit_request_fields = 100

# Worker heartbeat files in memory when available, not on a possibly slow disk.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
