/**
 * The minimal Django project the django-oauth-toolkit fixture writes into its temp dir: settings (sqlite,
 * OIDC on with an RSA key, the issuer the counting proxy serves), URLs, manage.py, and the setup script
 * that migrates and creates the clients in one interpreter (one Django start instead of two).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DotClientRow {
  clientId: string;
  clientSecret: string;
}

const MANAGE_PY = `import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idp.settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
`;

// DOT 1.7 routes only ".well-known/openid-configuration/" (trailing slash); the spelling clients build
// from the issuer is added here. Every other route keeps its trailing slash (no APPEND_SLASH redirects).
const URLS_PY = `from django.urls import include, path, re_path
from oauth2_provider import views
urlpatterns = [
    re_path(r"^o/\\.well-known/openid-configuration$", views.ConnectDiscoveryInfoView.as_view()),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
`;

// Secrets are stored as given (DOT 1.7 does not hash them) and read from a JSON file, never a command line.
const SETUP_PY = `import json
from django.core.management import call_command
call_command("migrate", verbosity=0)
from oauth2_provider.models import get_application_model
A = get_application_model()
for c in json.load(open("clients.json")):
    A.objects.create(name=c["clientId"], client_id=c["clientId"], client_secret=c["clientSecret"],
                     client_type=A.CLIENT_CONFIDENTIAL, authorization_grant_type=A.GRANT_CLIENT_CREDENTIALS,
                     algorithm=A.RS256_ALGORITHM)
`;

function settingsPy(issuer: string, secretKey: string, accessTokenTtl: number): string {
  return `from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = ${JSON.stringify(secretKey)}
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "oauth2_provider"]
MIDDLEWARE = []
ROOT_URLCONF = "idp.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
LOGGING = {"version": 1, "handlers": {"c": {"class": "logging.StreamHandler"}},
           "loggers": {"django.server": {"handlers": ["c"], "level": "INFO"}}}
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": (BASE_DIR / "oidc.key").read_text(),
    "OIDC_ISS_ENDPOINT": ${JSON.stringify(issuer)},
    "SCOPES": {"openid": "OpenID Connect", "read": "read", "write": "write",
               "introspection": "may call the introspection endpoint with a bearer token"},
    "DEFAULT_SCOPES": ["read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": ${accessTokenTtl},
}
`;
}

/** Writes the project into `dir`; `rsaPem` is the OIDC signing key (PKCS#8 PEM). */
export function writeDjangoProject(
  dir: string,
  options: {
    issuer: string;
    rsaPem: string;
    clients: DotClientRow[];
    secretKey: string;
    accessTokenTtl: number;
  },
): void {
  mkdirSync(join(dir, 'idp'));
  writeFileSync(join(dir, 'manage.py'), MANAGE_PY);
  writeFileSync(join(dir, 'setup_fixture.py'), SETUP_PY);
  writeFileSync(join(dir, 'idp', '__init__.py'), '');
  writeFileSync(join(dir, 'idp', 'urls.py'), URLS_PY);
  writeFileSync(
    join(dir, 'idp', 'settings.py'),
    settingsPy(options.issuer, options.secretKey, options.accessTokenTtl),
  );
  writeFileSync(join(dir, 'oidc.key'), options.rsaPem, { mode: 0o600 });
  writeFileSync(join(dir, 'clients.json'), JSON.stringify(options.clients), { mode: 0o600 });
}
