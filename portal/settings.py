"""Settings read from the environment.

With nothing set, the portal runs in debug mode on a local SQLite file, so that
`make run` works on a fresh machine. Production sets DJANGO_DEBUG=0, DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS and DATABASE_URL (PostgreSQL); `check --deploy` then passes.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY doit être défini quand DJANGO_DEBUG=0.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "widget_tweaks",
    "dsfr",
    "django_filters",
    "simple_history",
    "axes",  # admin login throttling (portal/login_throttle.py)
    "csp",  # Content-Security-Policy with a per-request nonce (its system checks)
    "ninja",  # the /api/v1/ API: its Swagger UI templates and static files (portal/api.py)
    "import_export",
    # Before django_tasks_db: its db_worker command is portal's (waits out database outages).
    "portal",
    "django_tasks",  # background tasks (aides/tasks.py), run by manage.py db_worker
    "django_tasks_db",  # their database backend: the queue is a table
    "territoires",
    "aides",
    "structures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.RequestSizeLimitMiddleware",  # 413 before any body is read
    "csp.middleware.CSPMiddleware",  # CONTENT_SECURITY_POLICY, request.csp_nonce
    "portal.lib.csp.CspNonceMiddleware",  # the nonce for code without the request
    "portal.middleware.SecurityHeadersMiddleware",  # Permissions-Policy, CORP
    "portal.middleware.NulByteMiddleware",  # French 400 for a NUL in the address
    "portal.health.DatabaseUnavailableMiddleware",  # 503 + Retry-After, before the session
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous public answers from the cache, ETag/304 on every public answer: after the
    # guards and CSP (they run on hits), before the session (a hit needs no database).
    "portal.lib.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.opendata.OpenDataMiddleware",  # licence link, public Cache-Control on /api/v1/…
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "axes.middleware.AxesMiddleware",  # the 429 page of portal/login_throttle.py
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

# django-dsfr's renderer, named here so that every form shares one instance: left to its
# default, each DSFR form builds its own template engine and parses its field templates
# again on every request (≈ 15 ms per finder page).
FORM_RENDERER = "dsfr.forms.DsfrDjangoTemplates"

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The one-row version of the public data (Last-Modified of the open data, portal.lib.opendata).
PORTAL_DATA_VERSION_MODEL = "portal.DataVersion"
# The large imports' jobs (portal.lib.background_import).
PORTAL_IMPORT_JOB_MODEL = "portal.ImportEnTache"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
# Narrow no-break space between thousands (portal/formats/fr/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end packages installed by npm (package.json), served by whitenoise: no CDN.
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/leaflet.markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
    # Bar charts of the bilan (web component; the tables next to them are the source of truth).
    (
        "vendor/dsfr-chart",
        BASE_DIR / "node_modules" / "@gouvfr" / "dsfr-chart" / "dist" / "BarChart",
    ),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Whitenoise's manifest storage rewrites the DSFR CSS, which then no longer matches its SRI hash.
DSFR_USE_INTEGRITY_CHECKSUMS = False
DSFR_MARK_OPTIONAL_FIELDS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_FILE_SIZE = int(os.environ.get("PORTAL_IMPORT_MAX_FILE_SIZE", str(10 * 1024 * 1024)))
# Rows per admin import of structures/professionals; above IMPORT_TASK_THRESHOLD rows the
# import runs in the background worker (portal.lib.background_import), whose heartbeat older
# than IMPORT_HEARTBEAT_STALE_SECONDS shows the job as interrupted.
IMPORT_MAX_ROWS = int(os.environ.get("PORTAL_IMPORT_MAX_ROWS", "20000"))
IMPORT_TASK_THRESHOLD = int(os.environ.get("PORTAL_IMPORT_TASK_THRESHOLD", "1000"))
IMPORT_HEARTBEAT_STALE_SECONDS = float(
    os.environ.get("PORTAL_IMPORT_HEARTBEAT_STALE_SECONDS", "60")
)

# Official reference data.
NODE_MODULES_DIR = Path(os.environ.get("PORTAL_NODE_MODULES", BASE_DIR / "node_modules"))
COG_DATA_DIR = NODE_MODULES_DIR / "@etalab" / "decoupage-administratif" / "data"
# Local folder of official GeoJSON contours (IGN/Etalab, ANCT). Read in place, never copied.
_shared_geo = BASE_DIR.parent / "shared" / "data" / "geo"
GEO_DATA_DIR = Path(os.environ.get("PORTAL_GEO_DATA_DIR", _shared_geo))
DEFAULT_REGIONS = env_list("PORTAL_REGIONS", "11,44")
# Local folder of the real zonings (CartoSanté exports, FRR/ZRR, QPV per commune): read in
# place, never copied. Absent: setup_demo says so and loads the demonstration zonings.
_shared_zonages = BASE_DIR.parent / "shared" / "data" / "zonages"
ZONAGES_DATA_DIR = Path(os.environ.get("PORTAL_ZONAGES_DATA_DIR", _shared_zonages))

# Map tiles: Plan IGN from the Géoplateforme by default; the maps stay usable without tiles.
MAP_TILES = os.environ.get("PORTAL_MAP_TILES", "ign")

# Optional address geocoder (Géoplateforme); the finder works without it.
GEOCODER_URL = os.environ.get("PORTAL_GEOCODER_URL", "https://data.geopf.fr/geocodage/search")
GEOCODER_ENABLED = env_bool("PORTAL_GEOCODER_ENABLED", False)

LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): scripts from our origin or with the request's nonce;
# map tiles are the only third-party content. Styles keep 'unsafe-inline': Leaflet, folium and
# the DSFR write style="…" attributes, which cannot carry a nonce (and a nonce in style-src
# would disable 'unsafe-inline'); styles cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [
            SELF,
            "data:",
            *env_list(
                "PORTAL_CSP_IMG_HOSTS", "https://data.geopf.fr,https://tile.openstreetmap.org"
            ),
        ],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}


def cache_from_url(url: str) -> dict:
    """The default cache named by CACHE_URL (see CACHES below)."""
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PORTAL_CACHE_MAX_ENTRIES", "3000"))},
        }
    scheme, _, rest = url.partition("://")
    if scheme in ("redis", "rediss", "unix"):
        return {"BACKEND": "portal.lib.rediscache.RedisCache", "LOCATION": url}
    if scheme == "db" and rest.strip("/"):
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": rest.strip("/"),
        }
    if scheme == "file" and rest.startswith("/"):
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": rest}
    raise ImproperlyConfigured(
        f"CACHE_URL inconnu : « {url} ». Formes acceptées : redis://hôte:6379/0, "
        "rediss://…, db://nom_de_table, file:///chemin/absolu (vide : cache en mémoire du "
        "processus)."
    )


# The default cache (Django's cache framework): the data version token, the public page
# cache (portal.lib.pagecache) and the apps' computed answers. CACHE_URL chooses it:
# - unset: in the memory of each process (LocMemCache, PORTAL_CACHE_MAX_ENTRIES entries).
#   A process learns of another's change by re-reading the version row at most every
#   PORTAL_DATA_VERSION_RECHECK_SECONDS (one small query);
# - redis://host:6379/0 (or rediss://, unix://): Redis, shared by every app server, which
#   then agree at once (a bump replaces the shared token; no re-reading);
# - db://table_name: a table of the database (`manage.py createcachetable` after migrate);
# - file:///absolute/path: files shared by the workers of one machine.
# Answers are never invalidated by timeout: their keys carry the data version token.
_CACHE_URL = os.environ.get("CACHE_URL", "").strip()
CACHES = {"default": cache_from_url(_CACHE_URL)}

# Background tasks: queued in the database, run by `manage.py db_worker` (./dev.sh run starts it;
# in production a systemd unit). Daily tasks are enqueued by `manage.py schedule_daily_tasks`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The daily link check (aides/tasks.py): seconds per request, tries per link, pause between tries.
LINK_CHECK_TIMEOUT = 10
LINK_CHECK_TRIES = 3
LINK_CHECK_RETRY_DELAY = 5
LINK_CHECK_PRIVATE_HOSTS = False  # links to private or loopback addresses are not fetched
PORTAL_DATA_VERSION_RECHECK_SECONDS = (
    None if _CACHE_URL else float(os.environ.get("PORTAL_DATA_VERSION_RECHECK_SECONDS", "2"))
)
# How long a public page stays in the cache (portal.lib.pagecache): it bounds memory only,
# correctness comes from the key (data version, date, address). 0 disables the page cache.
PORTAL_PAGE_CACHE_SECONDS = int(os.environ.get("PORTAL_PAGE_CACHE_SECONDS", str(24 * 3600)))
# Larger answers (after compression) are not stored.
PORTAL_PAGE_CACHE_MAX_BYTES = int(os.environ.get("PORTAL_PAGE_CACHE_MAX_BYTES", str(1024 * 1024)))

# Who may frame the embeddable finder (/integrer/recherche/, aides/integrer): any site by
# default, since it shows public data, sets no cookie and changes nothing; a list of origins
# restricts it. Every other page keeps frame-ancestors 'none' and X-Frame-Options DENY.
PORTAL_EMBED_ANCESTORS = env_list("PORTAL_EMBED_ANCESTORS", "*")

# Admin login throttling: django-axes, counters in the database (portal/login_throttle.py).
AUTHENTICATION_BACKENDS = [
    "portal.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "portal.login_throttle.LoginThrottleHandler"
AXES_FAILURE_LIMIT = 5  # per account and address
LOGIN_FAILURE_LIMIT_PER_ADDRESS = 20  # per address, any accounts
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "portal.login_throttle.normalize_username"
AXES_CLIENT_IP_CALLABLE = "portal.login_throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.login_throttle.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # no log of agents' logins kept without a retention rule
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks); none by default.
TRUSTED_PROXIES = env_list("PORTAL_TRUSTED_PROXIES", "")

# E-mail (alerts, aides/alertes): SMTP configured by the environment; console in development.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Portail de l'accès aux soins <ne-pas-repondre@localhost>"
)
# Absolute links of the messages (no request when the digests are sent).
PORTAL_SITE_URL = os.environ.get("PORTAL_SITE_URL", "http://localhost:8000")
# Alert requests per e-mail address and per client address, within one window (seconds).
ALERTES_LIMITE_PAR_ADRESSE = int(os.environ.get("PORTAL_ALERTES_LIMITE_PAR_ADRESSE", "3"))
ALERTES_LIMITE_PAR_IP = int(os.environ.get("PORTAL_ALERTES_LIMITE_PAR_IP", "20"))
ALERTES_LIMITE_FENETRE = int(os.environ.get("PORTAL_ALERTES_LIMITE_FENETRE", "3600"))
