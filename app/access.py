"""Who may reach `deepbrook serve`, and what it needs before it listens beyond this machine.

On a loopback address only local users reach the server and the websocket accepts only the server's own origins,
so it runs as it always did, without a login. Any other address (0.0.0.0, ::, a LAN address, a host name) is refused
unless it has a login (a password or credentials file, or an OAuth provider) AND the explicit list of web origins
users open: then a page on another site can neither read the app nor open its websocket (no cross-site websocket
hijacking), and session ids are signed with a secret, so no one can make one up.
"""
from __future__ import annotations

import ipaddress
import json
import os
import secrets
from pathlib import Path

ENV_BASIC_AUTH = "DEEPBROOK_BASIC_AUTH"
ENV_ORIGINS = "DEEPBROOK_ALLOW_WEBSOCKET_ORIGIN"  # comma separated, for containers
# Panel's and Bokeh's own variables, read by the server process.
ENV_OAUTH_PROVIDER = "PANEL_OAUTH_PROVIDER"
ENV_COOKIE_SECRET = "PANEL_COOKIE_SECRET"
ENV_SESSION_SECRET = "BOKEH_SECRET_KEY"
ENV_SIGN_SESSIONS = "BOKEH_SIGN_SESSIONS"


class UnsafeServeError(ValueError):
    """`deepbrook serve` was asked to listen beyond this machine without what keeps other people out."""


class CredentialsError(ValueError):
    """The login's credentials file is missing, unreadable or not a JSON object of user names to passwords."""


def is_loopback(address: str) -> bool:
    """True for 127.x, ::1 and localhost; a host name could resolve to anything, so it counts as exposed."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def read_credentials(source: str) -> dict[str, str] | str:
    """`source` is one shared password, or the path of a JSON file {"user": "password", ...} (read at each login,
    so users can be added without a restart). A value that looks like a path but names no file is an error, so a
    mistyped path never becomes the password."""
    if not source:
        raise CredentialsError("the login password is empty")
    path = Path(source).expanduser()
    if not path.is_file():
        if path.is_absolute() or source.startswith(("./", "../", "~")) or source.endswith(".json"):
            raise CredentialsError(f"no credentials file {source!r}")
        return source
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CredentialsError(f"credentials file {source!r} is not readable JSON: {e}") from None
    if (not isinstance(data, dict) or not data
            or not all(isinstance(u, str) and u and isinstance(p, str) and p for u, p in data.items())):
        raise CredentialsError(f"credentials file {source!r} must be a JSON object of user names to non-empty "
                               'passwords, e.g. {"ana": "a long passphrase"}')
    return data


def _origins(values, environ) -> list[str]:
    given = list(values or []) or [o for o in environ.get(ENV_ORIGINS, "").split(",")]
    return [o.strip() for o in given if o.strip()]


def access_settings(address: str, port: int, basic_auth=None, oauth_provider=None, origins=None,
                    environ=None) -> tuple[list[str], dict[str, str]]:
    """The `panel serve` options and the environment that make serving on `address` safe; raises
    `UnsafeServeError` saying exactly what to pass when `address` reaches beyond this machine unprotected."""
    environ = dict(os.environ if environ is None else environ)
    env: dict[str, str] = {}
    basic_auth = basic_auth or environ.get(ENV_BASIC_AUTH) or environ.get("PANEL_BASIC_AUTH")
    oauth_provider = oauth_provider or environ.get(ENV_OAUTH_PROVIDER)
    explicit = _origins(origins, environ)
    if basic_auth and oauth_provider:
        raise UnsafeServeError("choose one login: --basic-auth or --oauth-provider, not both")
    if any("*" in o for o in explicit):
        raise UnsafeServeError(f"--allow-websocket-origin {next(o for o in explicit if '*' in o)!r}: a wildcard lets "
                               "every web page open the notebook's websocket; list each host[:port] users open")
    if not is_loopback(address):
        missing = []
        if not (basic_auth or oauth_provider):
            missing.append("a login: --basic-auth /run/secrets/deepbrook-users.json (a JSON object "
                           '{"user": "password"}; or set DEEPBROOK_BASIC_AUTH to that path or to a shared password), '
                           "or --oauth-provider NAME with PANEL_OAUTH_KEY, PANEL_OAUTH_SECRET and "
                           "PANEL_OAUTH_ENCRYPTION set")
        if not explicit:
            missing.append("the addresses users open: --allow-websocket-origin HOST[:PORT] for each (e.g. "
                           f"--allow-websocket-origin deepbrook.example.org --allow-websocket-origin 10.0.0.5:{port}; "
                           "or DEEPBROOK_ALLOW_WEBSOCKET_ORIGIN=host1,host2)")
        if missing:
            raise UnsafeServeError(
                f"refusing to serve on {address}: it is reachable from other machines, and without a login and an "
                "origin list anyone who reaches it, or any web page a user visits, could drive the shared notebook. "
                "Pass " + "; and ".join(missing) + ". Or serve on --address 127.0.0.1 (this machine only).")
    # pages the server itself serves on this machine's loopback are always its own origin
    allowed = {f"127.0.0.1:{port}", f"localhost:{port}", *explicit}
    if is_loopback(address):
        allowed.add(f"{address}:{port}")
    if basic_auth:
        read_credentials(basic_auth)
        env[ENV_BASIC_AUTH] = basic_auth
    if oauth_provider:
        env[ENV_OAUTH_PROVIDER] = oauth_provider
    if basic_auth or oauth_provider or not is_loopback(address):
        # secrets made per start unless given (then logins and sessions survive restarts and span processes)
        env[ENV_COOKIE_SECRET] = environ.get(ENV_COOKIE_SECRET) or secrets.token_urlsafe(32)
        env[ENV_SESSION_SECRET] = environ.get(ENV_SESSION_SECRET) or secrets.token_urlsafe(32)
        env[ENV_SIGN_SESSIONS] = "true"
    args = []
    for origin in sorted(allowed):
        args += ["--allow-websocket-origin", origin]
    return args, env
