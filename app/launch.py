"""The server process: Panel's `panel serve`, plus Deepbrook's security headers and password login.

`deepbrook serve` checks the options and runs `python -m deepbrook.app.launch <server.py> <panel serve options>`;
everything else (sessions, origins, signed session ids, OAuth, /liveness) is Panel's and Bokeh's own.
"""
from __future__ import annotations

import argparse
import os
import sys

from panel.command.serve import Serve
from tornado.web import GZipContentEncoding

from deepbrook.app.http_headers import SecurityHeaders
from deepbrook.app.access import ENV_BASIC_AUTH
from deepbrook.app.login import PasswordLogin


class DeepbrookServe(Serve):
    """`panel serve` whose Tornado application adds `SecurityHeaders` and, when DEEPBROOK_BASIC_AUTH is set,
    logs users in with `PasswordLogin`."""

    def customize_kwargs(self, args, server_kwargs):
        kwargs = super().customize_kwargs(args, server_kwargs)
        transforms = [GZipContentEncoding] if kwargs.get("compress_response") else []
        kwargs["transforms"] = [*transforms, SecurityHeaders]
        source = os.environ.get(ENV_BASIC_AUTH)
        if source:
            kwargs["auth_provider"] = PasswordLogin(source, login_endpoint="/login", logout_endpoint="/logout")
        return kwargs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deepbrook.app.launch",
                                     description="Run the Deepbrook server (panel serve with security headers).")
    command = DeepbrookServe(parser=parser)
    args = parser.parse_args(argv)
    try:
        command.invoke(args)
    except Exception as e:  # Panel's own CLI answers configuration errors the same way: one line, no traceback
        print(f"ERROR: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
