#!/usr/bin/env python3
"""Drives N merchant flows (create → read → update → read) through a proxy over one
keep-alive connection, so that a recording proxy writes real rows to seed a large cassette.
As in real traffic while a shop fixes its amounts, one create in seven is refused by Klarna
(400 BAD_VALUE: its order_amount does not add up) and that flow ends there.

usage: seed.py PORT PAYLOAD_DIR FLOWS
"""
import base64
import http.client
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import payload  # noqa: E402


def main():
    port, pdir, flows = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    auth = "Basic " + base64.b64encode(open(os.path.join(pdir, "auth"), "rb").read()).decode()
    create = open(os.path.join(pdir, "create.json"), "rb").read()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    statuses = {}

    def call(method, target, body=None):
        headers = {"Authorization": auth}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, target, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        statuses[r.status] = statuses.get(r.status, 0) + 1
        return data

    refused = json.loads(create)
    refused["order_amount"] += 1
    refused = json.dumps(refused, separators=(",", ":")).encode()
    for n in range(flows):
        if n % 7 == 6:
            call("POST", "/payments/v1/sessions", refused)
            continue
        sid = json.loads(call("POST", "/payments/v1/sessions", create))["session_id"]
        path = f"/payments/v1/sessions/{sid}"
        call("GET", path)
        lines = payload.order_lines(quantity_of_first=2 + n % 5)
        update = {"order_amount": sum(l["total_amount"] for l in lines),
                  "order_tax_amount": sum(l["total_tax_amount"] for l in lines), "order_lines": lines}
        call("POST", path, json.dumps(update, separators=(",", ":")).encode())
        call("GET", path)
    print(" ".join(f"{k}:{v}" for k, v in sorted(statuses.items())))


if __name__ == "__main__":
    main()
