"""Password login for `deepbrook serve`: Panel's basic-auth provider, with the credential check done right.

Panel 1.9's own `--basic-auth` lower-cases the password it compares with (`config.basic_auth`), compares with `==`
and loads its login page's logo and icon from a CDN. This provider keeps Panel's login flow (signed `user` cookie,
`/login`, `/logout`, the `@authenticated` pages and websocket) and replaces only the check and the two pages.
"""
from __future__ import annotations

import hmac
from pathlib import Path

from panel.auth import BasicAuthProvider, BasicLoginHandler, LogoutHandler

from deepbrook.app.access import CredentialsError, read_credentials

STATIC = Path(__file__).with_name("static")


def password_matches(credentials: dict[str, str] | str, username: str, password: str) -> bool:
    """Constant-time check; a shared password accepts any user name (Panel's meaning), a file only its users."""
    expected = credentials.get(username) if isinstance(credentials, dict) else credentials
    if expected is None:
        expected, password = "\0", ""  # still compare, so a missing user takes as long as a wrong password
    return hmac.compare_digest(expected.encode(), password.encode()) and bool(password)


class PasswordLoginHandler(BasicLoginHandler):
    """Panel's login form handler; `_source` (set per provider) names the password or credentials file."""

    _source = ""

    def _validate(self, username, password):
        try:
            return password_matches(read_credentials(self._source), username, password)
        except CredentialsError:
            return False  # checked at start; a file broken since then refuses every login rather than crash


class PasswordLogin(BasicAuthProvider):
    """Login with a shared password or a credentials file; the server's own login and logout pages."""

    def __init__(self, source: str, **kwargs):
        read_credentials(source)  # fail at start, with the reason, rather than at the first login
        kwargs.setdefault("login_template", str(STATIC / "login.html"))
        kwargs.setdefault("logout_template", str(STATIC / "logout.html"))
        self._source = source  # before Panel's __init__, which validates the handlers
        super().__init__(**kwargs)

    @property
    def login_handler(self):
        return type("DeepbrookLoginHandler", (PasswordLoginHandler,),
                    {"_source": self._source, "_login_endpoint": self._login_endpoint,
                     "_login_template": self._login_template})

    @property
    def logout_handler(self):
        return type("DeepbrookLogoutHandler", (LogoutHandler,),
                    {"_logout_template": self._logout_template, "_login_endpoint": self._login_endpoint})
