"""The one error boundary: typed errors in, kubectl's message and exit code out.

Everything below the CLI raises; nothing prints its own errors (kubectl's `checkErr`).
"""
from __future__ import annotations

import os


class CLIError(Exception):
    """A client-side error, printed as `<prefix><message>` (kubectl's `error: `), exit 1.
    Subclasses whose kubectl wording has another prefix set `prefix`."""

    prefix = "error: "

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.message = message
        self.code = code


class Printed(Exception):
    """Errors already reported line by line (apply of many objects); just the exit code."""

    def __init__(self, code: int = 1):
        self.code = code


def _go_quote(s: str) -> str:
    import json
    return json.dumps(s, ensure_ascii=False)


def invalid_message(e) -> str | None:
    """checkErr's rendering of a 422 Invalid: `The Pod "x" is invalid: <field>: <detail>`, or a
    `* ` line per cause when there are several."""
    d = e.details or {}
    if e.reason != "Invalid":
        return None
    head = "The request is invalid"
    if d.get("kind") or d.get("name"):
        head = f"The {d.get('kind', '')} {_go_quote(d.get('name', ''))} is invalid"
    causes = [f"{c.get('field', '')}: {c.get('message', '')}" if c.get("field") else c.get("message", "")
              for c in d.get("causes") or ()]
    if not causes:
        return head
    if len(causes) == 1:
        return f"{head}: {causes[0]}"
    return f"{head}: \n" + "".join(f"* {c}\n" for c in causes).rstrip("\n")


def report(errors: list, err) -> None:
    """How kubectl ends a multi-object verb: one error goes through checkErr as itself; several
    are printed one per line. Raises; returns only when there were none."""
    if not errors:
        return
    if len(errors) == 1:
        raise errors[0]
    for e in errors:
        err.write(status_line(e) + "\n")
    raise Printed(1)


def status_line(e) -> str:
    """kubectl's rendering of an API error: `Error from server (NotFound): pods "x" not found`."""
    if e.reason and e.reason not in ("Unknown",):
        return f"Error from server ({e.reason}): {e.message}"
    return f"Error from server: {e.message}"


def handle(e: BaseException, err) -> int:
    from pykubectl.api.errors import StatusError, UserError
    if isinstance(e, Printed):
        return e.code
    if isinstance(e, SystemExit):
        return e.code if isinstance(e.code, int) else 1
    if isinstance(e, KeyboardInterrupt):
        return 130
    if isinstance(e, BrokenPipeError):
        return 0
    if isinstance(e, StatusError):
        if e.reason == "Unauthorized":
            err.write(f"error: You must be logged in to the server ({e.message})\n")
            return 1
        err.write((invalid_message(e) or status_line(e)) + "\n")
        return 1
    if isinstance(e, CLIError):
        err.write(f"{e.prefix}{e.message}\n")
        return e.code
    if isinstance(e, UserError):
        # kubectl's fatal(): a newline is added unless the message already ends with one
        msg = f"{e.prefix}{e}"
        err.write(msg if msg.endswith("\n") else msg + "\n")
        return 1
    if isinstance(e, (FileNotFoundError, IsADirectoryError, PermissionError)):
        err.write(f"error: {e}\n")
        return 1
    if os.environ.get("PYKUBECTL_DEBUG"):
        raise e
    err.write(f"error: internal error: {type(e).__name__}: {e}\n")
    return 1

