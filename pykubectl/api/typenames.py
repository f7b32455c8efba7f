"""How Go names a decoded JSON value in error texts, for the places that quote Go's wording:
encoding/json's UnmarshalTypeError (`json: cannot unmarshal number into ...`) and reflect's type
names (`map[string]interface {}`). OpenAPI's own type names (`integer`, `boolean`) are another
wording, kept where schemas are checked (crd_schema)."""
from __future__ import annotations


def json_kind(v) -> str:
    """The value's name in encoding/json's UnmarshalTypeError: bool, number, object, array or
    string (a null never fails to decode; a YAML date is sent as a string)."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, dict):
        return "object"
    if isinstance(v, list):
        return "array"
    return "string"


_GO_TYPES = {bool: "bool", int: "int64", float: "float64", str: "string", list: "[]interface {}",
             dict: "map[string]interface {}"}


def go_type(v) -> str | None:
    """reflect.Type.String() of what encoding/json decodes the value into (an interface{}
    target: a number is int64 or float64 as the template and jsonpath evaluators see it);
    None for null and non-JSON values, whose name depends on the caller's context."""
    for t in type(v).__mro__:
        name = _GO_TYPES.get(t)
        if name:
            return name
    return None
