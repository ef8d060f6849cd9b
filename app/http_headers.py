"""Security headers on every response of `deepbrook serve` (a Tornado output transform).

The page may load only from the server itself (scripts, styles, fonts, images, websocket), may not be framed by
another site (clickjacking) and sends no referrer. Bokeh and Panel write inline <script> and style blocks and
create blob: workers, and Panel compiles its components at run time (without 'unsafe-eval' the page does not
render in Chromium), so those stay allowed; what the policy removes is every other origin: injected markup can
neither load nor send anything elsewhere.
"""
from __future__ import annotations

from tornado.web import OutputTransform

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self' blob:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeaders(OutputTransform):
    """Adds `SECURITY_HEADERS` to each response (a handler that set one of them itself keeps its own)."""

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        for name, value in SECURITY_HEADERS.items():
            if name not in headers:
                headers[name] = value
        return status_code, headers, chunk
