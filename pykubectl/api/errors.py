"""API errors as the apiserver returns them: a metav1.Status with code, reason and details.

Every layer below the CLI raises these; the CLI's one error boundary (cli/errors.py) turns them
into kubectl's wording ("Error from server (NotFound): pods "x" not found") and exit code 1.
"""
from __future__ import annotations


class UserError(Exception):
    """An error of our own modules whose str(e) is kubectl's wording: the CLI's error boundary
    prints `prefix + str(e)` and exits 1. A shared base, so that the boundary needs neither the
    defining modules' imports nor their class names."""

    prefix = "error: "


class StatusError(Exception):
    """An API error carrying the fields of a metav1.Status."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details or {}

    def status(self) -> dict:
        st = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": self.message, "reason": self.reason, "code": self.code}
        if self.details:
            st["details"] = self.details
        return st

    @classmethod
    def from_status(cls, st: dict) -> "StatusError":
        return cls(int(st.get("code") or 500), st.get("reason") or "", st.get("message") or "",
                   st.get("details"))

    def __repr__(self):
        return f"StatusError({self.code}, {self.reason!r}, {self.message!r})"


def _details(name, group, plural):
    d = {"name": name, "kind": plural}
    if group:
        d["group"] = group
    return d


def qualified(group: str, plural: str) -> str:
    """`pods`, `deployments.apps`: how the apiserver names a resource in messages."""
    return f"{plural}.{group}" if group else plural


def not_found(group: str, plural: str, name: str) -> StatusError:
    return StatusError(404, "NotFound", f'{qualified(group, plural)} "{name}" not found',
                       _details(name, group, plural))


def already_exists(group: str, plural: str, name: str) -> StatusError:
    return StatusError(409, "AlreadyExists", f'{qualified(group, plural)} "{name}" already exists',
                       _details(name, group, plural))


def conflict(group: str, plural: str, name: str, why: str) -> StatusError:
    return StatusError(409, "Conflict",
                       f'Operation cannot be fulfilled on {qualified(group, plural)} "{name}": {why}',
                       _details(name, group, plural))


def bad_request(message: str) -> StatusError:
    return StatusError(400, "BadRequest", message)


def forbidden(message: str, details: dict | None = None) -> StatusError:
    return StatusError(403, "Forbidden", message, details)


def gone(message: str) -> StatusError:
    return StatusError(410, "Expired", message)


class FieldError:
    """One entry of an Invalid status: `spec.containers[0].name: Required value`."""

    __slots__ = ("type", "field", "detail", "value", "has_value")

    def __init__(self, type: str, field: str, detail: str = "", value=None, has_value=False):
        self.type = type          # apimachinery's ErrorType string: "Required value", "Invalid value", ...
        self.field = field
        self.detail = detail
        self.value = value
        self.has_value = has_value

    def __str__(self):
        # field.Error.Error(): "<field>: <type>[: <value>][: <detail>]"
        s = f"{self.field}: {self.type}"
        if self.has_value:
            s += f": {_go_value(self.value)}"
        if self.detail:
            s += f": {self.detail}"
        return s

    def cause(self) -> dict:
        reason = {"Required value": "FieldValueRequired", "Invalid value": "FieldValueInvalid",
                  "Unsupported value": "FieldValueNotSupported", "Forbidden": "FieldValueForbidden",
                  "Duplicate value": "FieldValueDuplicate", "Too long": "FieldValueTooLong",
                  "Not found": "FieldValueNotFound", "Too many": "FieldValueTooMany"}.get(self.type, "FieldValueInvalid")
        msg = str(self)[len(self.field) + 2:]
        return {"reason": reason, "message": msg, "field": self.field}


def _go_value(v) -> str:
    # apimachinery prints strings quoted, numbers and bools bare
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    return str(v)


def invalid(group: str, kind: str, name: str, errors: list[FieldError]) -> StatusError:
    """The 422 Invalid status: `Pod "x" is invalid: spec.containers[0].name: Required value`."""
    if len(errors) == 1:
        agg = str(errors[0])
    else:
        agg = "[" + ", ".join(str(e) for e in errors) + "]"
    gk = f"{kind}.{group}" if group else kind
    msg = f'{gk} "{name}" is invalid: {agg}'
    details = {"name": name, "kind": kind, "causes": [e.cause() for e in errors]}
    if group:
        details["group"] = group
    return StatusError(422, "Invalid", msg, details)
