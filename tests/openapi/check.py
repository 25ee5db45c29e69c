"""Checks an OpenAPI 3.1 document: the document against the OpenAPI 3.1 schema
(openapi-spec-validator), then every Schema Object in it against the JSON Schema 2020-12
meta-schema, which the first check does not reach (it let `"enum": null` through).
Exit status 1 with every problem listed, 0 when the document is valid."""
import json
import sys

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate


def schemas(node, path):
    """Every Schema Object: under components.schemas, and the `schema` of parameters,
    headers and media types."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}/{key}"
            if key == "schema" and isinstance(value, (dict, bool)):
                yield here, value
            elif key == "schemas" and path.endswith("/components") and isinstance(value, dict):
                for name, s in value.items():
                    yield f"{here}/{name}", s
            else:
                yield from schemas(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from schemas(value, f"{path}/{i}")


def main(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    problems = []
    try:
        validate(doc)
    except Exception as e:  # the validator's own error types vary by version
        problems.append(f"not a valid OpenAPI 3.1 document: {e}")
    for where, schema in schemas(doc, "#"):
        for error in Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema):
            at = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{where}/{at}: {error.message}")
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s) in {path}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
