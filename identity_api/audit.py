"""Security log lines (sign-in, sign-out, account changes) that cannot be forged or leak secrets.

Values typed by users (emails, user agents) are escaped: CR, LF and every other control character become
visible ``\\xNN`` escapes, so a crafted email cannot start a new, fake log line. Callers never pass
passwords or tokens; :func:`event` has no way to log a request body.
"""

from __future__ import annotations

import logging

from flask import has_request_context, request

log = logging.getLogger("identity_api.auth")
MAX_VALUE = 200


def clean(value: object) -> str:
    """``value`` as one safe, bounded token for a log line."""
    text = str(value)[:MAX_VALUE]
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or code == 0x7f or ch in "\u2028\u2029\x85":
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        elif ch == "\\":
            out.append("\\\\")
        elif ch == " ":
            out.append("\\x20")
        else:
            out.append(ch)
    return "".join(out) or '""'


def event(name: str, **fields: object) -> None:
    """Log ``name key=value ...`` at INFO (failures too: they are expected traffic, not errors)."""
    if has_request_context():
        fields.setdefault("ip", request.remote_addr or "-")
    details = " ".join(f"{key}={clean(value)}" for key, value in fields.items())
    log.info("%s %s", name, details)
