#!/usr/bin/env python3
"""Proves that replayed answers are valid against Klarna's OpenAPI document.

Records merchant flows through `sessproxy record` in front of `sessproxy fake-klarna`, checks
that no canary reaches the cassette, replays the same flows with `sessproxy replay` and validates
every replayed JSON answer with a third-party OpenAPI validator (plus the formats the document
only gives in prose). With --replay-cassette it replays an earlier recording of the same flows
instead (fixtures/format3-full-flows.sqlite: recorded by a sessproxy whose pseudonyms had no
format hints); with --replay-source it replays such a recording where it is, e.g. from the fleet
store. Exit 0 when everything holds, 1 when a check failed, 2 on set-up errors.

    python3 scripts/e2e/replay_schema_check.py --binary .build/debug/sessproxy \
        --openapi klarna-payments-openapi.yaml --work /tmp/schema-check
"""
import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

try:
    import yaml
    from referencing import Registry
    from referencing.jsonschema import DRAFT4
    try:
        from openapi_schema_validator import OAS30ReadValidator as Validator
        from openapi_schema_validator import oas30_format_checker as FORMAT_CHECKER
        VALIDATOR_NAME = "openapi-schema-validator OAS30ReadValidator"
    except ImportError:
        # Plain JSON Schema draft 4 understands everything this document uses (no nullable,
        # discriminator or writeOnly); OAS-only keywords such as readOnly/example are ignored.
        from jsonschema import Draft4Validator as Validator, FormatChecker
        FORMAT_CHECKER = FormatChecker()
        VALIDATOR_NAME = "jsonschema Draft4Validator"
except ImportError as missing:
    print(f"missing Python package ({missing.name}): pip install openapi-schema-validator pyyaml", file=sys.stderr)
    sys.exit(2)

EMAIL, PHONE = "schema.canary@example.com", "+447700900555"
GIVEN, FAMILY, BIRTH, NATIONAL_ID = "Canaryjane", "Canarydoe", "1978-12-31", "197812319876"
CREDENTIALS = "K123456_schema:schema-canary-secret"
AUTH_B64 = base64.b64encode(CREDENTIALS.encode()).decode()
CANARIES = [EMAIL, PHONE, GIVEN, FAMILY, BIRTH, NATIONAL_ID, "schema-canary-secret", AUTH_B64]
SESSIONS = "/payments/v1/sessions"
UNKNOWN_SESSION = "00000000-0000-4000-8000-00000000dead"
DOC_URI = "urn:x-klarna-payments-openapi"


class CheckFailure(Exception):
    """A check failed in a way that stops the run (a child did not start, a wrong status)."""


def line(kind, reference, name, quantity, unit_price, tax_rate, discount=0, **extra):
    """An order line whose total and tax follow Klarna's amount rules."""
    total = quantity * unit_price - discount
    tax = round(total - total * 10000 / (10000 + tax_rate))
    return {"type": kind, "reference": reference, "name": name, "quantity": quantity, "unit_price": unit_price,
            "tax_rate": tax_rate, "total_amount": total, "total_discount_amount": discount,
            "total_tax_amount": tax, **extra}


def cart(lines):
    """order_amount, order_tax_amount and order_lines for the given lines."""
    return {"order_amount": sum(l["total_amount"] for l in lines),
            "order_tax_amount": sum(l["total_tax_amount"] for l in lines), "order_lines": lines}


def full_cart(quantity):
    """Flow A's cart: a line with every order_line property, then a shipping fee."""
    shoe = line("physical", "SKU-TR-42", "Trail shoe", quantity, 8999, 2000, discount=1800, quantity_unit="pcs",
                merchant_data='{"warehouse":"LHR-2"}', product_url="https://shop.example.com/p/SKU-TR-42",
                image_url="https://shop.example.com/i/SKU-TR-42.png",
                product_identifiers={"brand": "Trailco", "category_path": "Shoes > Running", "color": "white",
                                     "global_trade_item_number": "4912345678904",
                                     "manufacturer_part_number": "TR-42-334.22", "size": "42"},
                subscription={"name": "Shoe care club", "interval": "MONTH", "interval_count": 1})
    return cart([shoe, line("shipping_fee", "SHIP-STD", "Standard delivery", 1, 499, 2000)])


def address(street):
    """A billing or shipping address with every address field, full of canary data."""
    return {"given_name": GIVEN, "family_name": FAMILY, "email": EMAIL, "phone": PHONE, "street_address": street,
            "street_address2": "Floor 22", "postal_code": "EC1A 1BB", "city": "London", "region": "LND",
            "country": "GB", "title": "Mr", "attention": "Accounts payable", "organization_name": "Canary Ltd"}


def full_create():
    """Flow A's create: every property of session_create a client may send."""
    emd = {"customer_account_info": [{"unique_account_identifier": EMAIL,
                                      "account_registration_date": "2021-04-01T09:30:00Z",
                                      "account_last_modified": "2024-11-20T17:05:12Z"}]}
    return {"intent": "buy", "acquiring_channel": "ECOMMERCE", "purchase_country": "GB", "purchase_currency": "GBP",
            "locale": "en-GB", **full_cart(2),
            "billing_address": address("33 Cavendish Square"), "shipping_address": address("1 Canary Wharf"),
            "customer": {"date_of_birth": BIRTH, "gender": "male", "last_four_ssn": "1234",
                         "national_identification_number": NATIONAL_ID, "organization_entity_type": "LIMITED_COMPANY",
                         "organization_registration_id": "556036-0793", "title": "Mr", "type": "organization",
                         "vat_id": "GB123456789"},
            "merchant_urls": {kind: f"https://shop.example.com/klarna/{kind}"
                              for kind in ("authorization", "confirmation", "notification", "push")},
            "options": {"color_border": "#1A1A1A", "color_border_selected": "#2B2B2B", "color_details": "#3C3C3C",
                        "color_text": "#4D4D4D", "radius_border": "5px"},
            "attachment": {"content_type": "application/vnd.klarna.internal.emd-v2+json", "body": json.dumps(emd)},
            "merchant_data": '{"order_specific":[{"substore":"Running"}]}', "merchant_reference1": "ON4711",
            "merchant_reference2": "hdt53h-zdgg6", "custom_payment_method_ids": ["PROMO-0PCT"],
            "design": "schema-check-design"}


def small_create(quantity):
    """Flow B's B2C cart (required fields); the create also carries a billing email and phone."""
    return {"purchase_country": "GB", "purchase_currency": "GBP",
            **cart([line("physical", "SKU-SOCK", "Running socks", quantity, 1299, 2000)])}


def steps():
    """(flow, method, path, body, expected status); {A}/{B} stand for the flow's session id."""
    one = f"{SESSIONS}/{{A}}"
    return [("A", "POST", SESSIONS, full_create(), 200), ("A", "GET", one, None, 200),
            ("A", "POST", one, full_cart(3), 204), ("A", "GET", one, None, 200),
            ("A", "POST", one, {"order_amount": 1}, 400), ("A", "GET", f"{SESSIONS}/{UNKNOWN_SESSION}", None, 404),
            ("A", "POST", SESSIONS, {}, 400),
            ("B", "POST", SESSIONS, {**small_create(1), "billing_address": {"email": EMAIL, "phone": PHONE}}, 200),
            ("B", "GET", f"{SESSIONS}/{{B}}", None, 200), ("B", "POST", f"{SESSIONS}/{{B}}", small_create(2), 204),
            ("B", "GET", f"{SESSIONS}/{{B}}", None, 200)]


def amount_problems(body):
    """Klarna's amount rules, checked before anything is sent (fake Klarna enforces them)."""
    lines, problems = body.get("order_lines", []), []
    for l in lines:
        if l["total_amount"] != l["quantity"] * l["unit_price"] - l.get("total_discount_amount", 0):
            problems.append(f"{l['reference']}: total_amount")
        exact = l["total_amount"] - l["total_amount"] * 10000 / (10000 + l["tax_rate"])
        if abs(l["total_tax_amount"] - exact) > 1:
            problems.append(f"{l['reference']}: total_tax_amount")
    if lines and body["order_amount"] != sum(l["total_amount"] for l in lines):
        problems.append("order_amount")
    if lines and body["order_tax_amount"] != sum(l["total_tax_amount"] for l in lines):
        problems.append("order_tax_amount")
    return problems


def uncovered(document, schema, value, path="$"):
    """Client-writable (not readOnly) properties of `schema` missing from `value` (arrays: first item)."""
    while "$ref" in schema:  # "#/components/schemas/NAME"
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if isinstance(value, list) and "items" in schema:
        return uncovered(document, schema["items"], value[0], f"{path}[0]") if value else [f"{path}[0]"]
    if not isinstance(value, dict):
        return []
    missing = []
    for name, child in schema.get("properties", {}).items():
        if child.get("readOnly"):
            continue
        if name in value:
            missing += uncovered(document, child, value[name], f"{path}.{name}")
        else:
            missing.append(f"{path}.{name}")
    return missing


def preflight(document):
    """Our own payloads must be right before the binary is blamed for anything."""
    create_schema = document["components"]["schemas"]["session_create"]
    missing = uncovered(document, create_schema, full_create())
    if missing:
        raise CheckFailure(f"flow A's create leaves out session_create properties: {', '.join(missing)}")
    for flow, method, path, body, expected in steps():
        problems = amount_problems(body) if body and expected != 400 else []
        if problems:
            raise CheckFailure(f"flow {flow} {method} {path}: our payload breaks amount rules: {problems}")


def start(binary, args, work, name, children):
    """Starts `binary args --listen` on a free port (output in WORK/name.log); returns (process, base URL)."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(work / "config"), SESSPROXY_LOG_LEVEL="warning")
    env.pop("SESSPROXY_REDACTION_KEY", None)
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open(work / f"{name}.log", "wb") as log:
        process = subprocess.Popen([binary, *args, "--listen", f"127.0.0.1:{port}"], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    children.append(process)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CheckFailure(f"{name} exited {process.returncode} at start, see {work / (name + '.log')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    raise CheckFailure(f"{name} is not listening on port {port}")


def stop(process):
    """SIGTERM, then wait; returns the exit status (killed after 20 s)."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        return f"killed after SIGTERM timeout ({process.wait()})"


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an http_proxy


def call(base, method, path, body):
    """One merchant request; returns (status, body bytes, headers)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Basic {AUTH_B64}", "Content-Type": "application/json"})
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def run_flows(base, label):
    """Runs every step against `base`; each session id comes from that flow's create answer."""
    sessions, answers = {}, []
    for flow, method, template, body, expected in steps():
        path = template.format(**sessions)
        status, raw, headers = call(base, method, path, body)
        answers.append({"method": method, "path": path, "status": status, "body": raw, "headers": headers})
        if status != expected:
            raise CheckFailure(f"{label}: {method} {path} answered {status}, expected {expected}: {raw[:300]!r}")
        if method == "POST" and path == SESSIONS and status == 200:
            sessions[flow] = json.loads(raw)["session_id"]
    return answers


def cassette_leaks(work):
    """Canary values found in the cassette or its -wal/-shm files."""
    leaks = []
    for file in sorted(work.glob("schema.sqlite*")):
        data = file.read_bytes()
        leaks += [f"canary {canary!r} in {file}" for canary in CANARIES if canary.encode() in data]
    return leaks


def record_and_replay(binary, work, children, failures):
    """Records the flows, checks the cassette, replays them; returns (recorded, replayed) answers."""
    cassette = work / "schema.sqlite"
    for stale in work.glob("schema.sqlite*"):
        stale.unlink()
    fake, fake_url = start(binary, ["fake-klarna"], work, "fake-klarna", children)
    recorder, record_url = start(binary, ["record", "--upstream", fake_url, "--cassette", str(cassette)],
                                 work, "record", children)
    recorded = run_flows(record_url, "record")
    status = stop(recorder)
    if status != 0:
        failures.append(f"record exited {status} on SIGTERM, expected 0")
    failures.extend(cassette_leaks(work))
    stop(fake)  # replay must not need it
    return recorded, replay_source(binary, work, str(cassette), children)


def replay_only(binary, work, recorded_cassette, children, failures):
    """Replays a cassette recorded earlier (by an older sessproxy) with the same flows."""
    cassette = work / "schema.sqlite"
    for stale in work.glob("schema.sqlite*"):
        stale.unlink()
    shutil.copyfile(recorded_cassette, cassette)
    failures.extend(cassette_leaks(work))
    replayed = replay_source(binary, work, str(cassette), children)
    return replayed, replayed


def replay_source(binary, work, source, children):
    """Replays SOURCE as it is given, a cassette file or a fleet recording
    (`postgres://…?recording=NAME`, which replay reads in place), and returns what the flows got."""
    replay, replay_url = start(binary, ["replay", "--cassette", source], work, "replay", children)
    replayed = run_flows(replay_url, "replay")
    stop(replay)
    return replayed


def response_schema(document, method, path, status):
    """(JSON pointer, name) of the schema the document gives for this answer, or None.

    A `{x}` segment of a path template matches exactly one non-empty segment of the path."""
    for template, operations in document["paths"].items():
        want, have = template.split("/"), path.split("/")
        if len(want) != len(have) or not all(w == h or (w.startswith("{") and h) for w, h in zip(want, have)):
            continue
        response = operations.get(method.lower(), {}).get("responses", {}).get(str(status), {})
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is not None:
            escaped = template.replace("~", "~0").replace("/", "~1")
            pointer = f"/paths/{escaped}/{method.lower()}/responses/{status}/content/application~1json/schema"
            return pointer, schema.get("$ref", "inline schema").rsplit("/", 1)[-1]
    return None


def schema_errors(registry, pointer, body):
    """Every violation the third-party validator finds, as `JSON path: keyword: message`."""
    validator = Validator({"$ref": f"{DOC_URI}#{pointer}"}, registry=registry, format_checker=FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda error: [str(part) for part in error.path])
    return [f"{error.json_path}: {error.validator}: {error.message[:160]}" for error in errors]


def fields(value, key, path="$"):
    """(JSON path, value) of every member named `key`, at any depth."""
    found = []
    if isinstance(value, dict):
        for name, child in value.items():
            found += [(f"{path}.{name}", child)] if name == key else []
            found += fields(child, key, f"{path}.{name}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += fields(child, key, f"{path}[{index}]")
    return found


def is_date_time(text):
    try:
        return bool(datetime.fromisoformat(re.sub(r"Z$", "+00:00", text)))
    except ValueError:
        return False


# Formats the document only states in prose: (member name, test, what a failure means).
PROSE_RULES = [
    ("email", lambda text: text.count("@") == 1 and "." in text.partition("@")[2], "is not an email address"),
    ("date_of_birth", lambda text: re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text), "is not yyyy-mm-dd"),
    ("country", lambda text: re.fullmatch(r"[A-Z]{2}", text), "is not an ISO 3166 alpha-2 code"),
    ("postal_code", lambda text: len(text) <= 10, "is longer than 10 characters"),
    ("account_registration_date", is_date_time, "is not an ISO 8601 date-time"),
    ("account_last_modified", is_date_time, "is not an ISO 8601 date-time"),
]


def prose_errors(body):
    """PROSE_RULES on a read answer, with the JSON document inside attachment.body parsed."""
    errors, attachment = [], body.get("attachment")
    if isinstance(attachment, dict):
        try:
            body = dict(body, attachment=dict(attachment, body=json.loads(attachment.get("body"))))
        except (TypeError, ValueError):
            errors.append(f"$.attachment.body: prose format: {attachment.get('body')!r} is not a JSON document")
    return errors + [f"{path}: prose format: {value!r} {failure}" for key, test, failure in PROSE_RULES
            for path, value in fields(body, key) if not test(str(value))]


def check_answer(document, registry, recorded, replayed, counts):
    """Every check on one replayed answer; prints its line and returns its problems."""
    problems = []
    try:
        body = json.loads(replayed["body"] or b"null")
    except ValueError:
        body = None
    if replayed["status"] != recorded["status"]:
        problems.append(f"status {replayed['status']}, recorded {recorded['status']}")
    if replayed["headers"].get("Sessproxy-Replay") is None:
        problems.append("not answered from the cassette (no Sessproxy-Replay header)")
    answer_text = replayed["body"] + str(replayed["headers"]).encode()
    problems += [f"canary {canary!r} in the replayed answer" for canary in CANARIES if canary.encode() in answer_text]
    found = response_schema(document, replayed["method"], replayed["path"], replayed["status"])
    if found and body is None:
        problems.append(f"{found[1]}: the document describes a JSON body, got {replayed['body'][:80]!r}")
    elif found:
        problems += schema_errors(registry, found[0], body)
    if replayed["method"] == "GET" and replayed["status"] == 200 and isinstance(body, dict):
        problems += prose_errors(body)
    kind = found[1] if found else ("not described" if body is not None else "no JSON body")
    counts[kind if kind in ("not described", "no JSON body") else "validated"] += 1
    verdict = "ok" if not problems else f"{len(problems)} errors"
    print(f"{replayed['method']} {replayed['path']} {replayed['status']} [{kind}]: {verdict}")
    for problem in problems:
        print(f"    {problem}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="the sessproxy binary")
    parser.add_argument("--openapi", required=True, help="Klarna Payments OpenAPI 3.0 YAML")
    parser.add_argument("--work", required=True, help="directory for the cassette, config and logs")
    parser.add_argument("--replay-cassette", help="replay this earlier recording of the same flows instead of recording")
    parser.add_argument("--replay-source", help="replay this recording of the same flows where it is (a file or a fleet URL)")
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK) or not os.path.isfile(args.openapi):
        print(f"not an executable: {args.binary}, or not a file: {args.openapi}", file=sys.stderr)
        return 2
    work = Path(args.work).resolve()
    (work / "config").mkdir(parents=True, exist_ok=True)
    document = yaml.safe_load(Path(args.openapi).read_text(encoding="utf-8"))
    registry = Registry().with_resource(DOC_URI, DRAFT4.create_resource(document))
    children, failures = [], []
    try:
        preflight(document)
        binary = str(Path(args.binary).resolve())
        if args.replay_source:
            recorded = replayed = replay_source(binary, work, args.replay_source, children)
        elif args.replay_cassette:
            recorded, replayed = replay_only(binary, work, Path(args.replay_cassette).resolve(), children, failures)
        else:
            recorded, replayed = record_and_replay(binary, work, children, failures)
    except CheckFailure as failure:
        print(f"FAILED: {failure}")
        return 1
    finally:
        for process in children:
            if process.poll() is None:
                process.kill()
                process.wait()
    for failure in failures:
        print(f"FAILED: {failure}")
    print(f"validator: {VALIDATOR_NAME}; cassette: {work / 'schema.sqlite'}")
    counts = {"validated": 0, "not described": 0, "no JSON body": 0}
    failed = sum(bool(check_answer(document, registry, rec, rep, counts)) for rec, rep in zip(recorded, replayed))
    print(f"summary: {len(replayed)} replayed answers, {counts['validated']} validated against the document, "
          f"{counts['not described']} not described, {counts['no JSON body']} without a JSON body; "
          f"{failed} answers failed, {len(failures)} other failures")
    return 1 if failed or failures else 0


if __name__ == "__main__":
    sys.exit(main())
