#!/usr/bin/env python3
"""The inspector page in headless Chromium, driven by Selenium, against the real binary.

usage: inspector_browser.py SESSPROXY_BINARY FAKE_KLARNA_PORT WORK_DIR

Records flows while the page is open and checks that the rows arrive without a reload, filters
by session (kept in the address), opens the failed update and finds its broken amount rule (`data-rule`) and its
redacted values, then replays with a hit and a miss and finds them marked; opens a long recording
on its newest rows and pages back; checks that nothing
answers without the token and that SIGTERM stops a server while a page is connected. Saves
screenshots as WORK_DIR/inspector-record.png, inspector-replay.png and inspector-long.png.
"""
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

BIN, FAKE_PORT, WORK = sys.argv[1], int(sys.argv[2]), sys.argv[3]
TOKEN = "e2e-inspector-token-0123456789"
AUTH = "Basic " + base64.b64encode(b"K123456_ui:inspector-e2e-secret").decode()
CREATE = {
    "purchase_country": "GB", "purchase_currency": "GBP", "locale": "en-GB", "order_amount": 16697, "order_tax_amount": 2783,
    "order_lines": [
        {"type": "physical", "reference": "SKU-TR-42", "name": "Trail shoe", "quantity": 2, "unit_price": 8999, "tax_rate": 2000,
         "total_amount": 16198, "total_discount_amount": 1800, "total_tax_amount": 2700},
        {"type": "shipping_fee", "reference": "SHIP-STD", "name": "Standard delivery", "quantity": 1, "unit_price": 499, "tax_rate": 2000,
         "total_amount": 499, "total_discount_amount": 0, "total_tax_amount": 83}],
    "billing_address": {"given_name": "Erika", "family_name": "Mustermann", "email": "ui.canary@example.com"},
}
# The shoe line's total is 500 short: Klarna (and fake Klarna) answer 400 BAD_VALUE.
BROKEN_UPDATE = dict(CREATE, order_amount=16197, order_lines=[dict(CREATE["order_lines"][0], total_amount=15698), CREATE["order_lines"][1]])


# Every sessproxy this script starts: killed on the way out, also when a check fails midway.
STARTED = []


def stop_all():
    for process in STARTED:
        if process.poll() is None:
            process.kill()
            process.wait()


def fail(message):
    print(f"E2E FAILURE (inspector): {message}", file=sys.stderr)
    stop_all()
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port):
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    fail(f"nothing listening on {port}")


def call(base, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Authorization": AUTH, **(headers or {})})
    if data:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def start(*arguments, port=None):
    port = port or free_port()
    process = subprocess.Popen([BIN, *arguments, "--listen", f"127.0.0.1:{port}", "--ui-token", TOKEN],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    STARTED.append(process)
    wait_port(port)
    return process, port


def stop(process, what):
    process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        fail(f"{what} did not stop within 15 s of SIGTERM with the page open")
    return process.returncode, output


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800", "--disable-gpu"]:
        options.add_argument(argument)
    for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]:
        if os.path.exists(candidate):
            options.binary_location = candidate
            break
    driver_path = next((p for p in ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"] if os.path.exists(p)), None)
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


def rows(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#rows tr[data-exchange-id]")


def wait(driver, condition, what, seconds=10):
    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: condition(d))
    except Exception:
        driver.save_screenshot(os.path.join(WORK, "inspector-failure.png"))
        fail(f"{what} (screenshot: {WORK}/inspector-failure.png)")


def check_token_rule(base, port):
    for path in ["/__sessproxy/api/exchanges", "/__sessproxy/api/sessions", "/__sessproxy/ui/", "/__sessproxy/api/events"]:
        status, body = call(base, "GET", path)
        if status != 401 or b"sessions/" in body:
            fail(f"{path} without the token answered {status}")
    status, _ = call(base, "GET", "/__sessproxy/api/exchanges", headers={"Authorization": f"Bearer {TOKEN}", "Host": f"rebound.example:{port}"})
    if status != 403:
        fail(f"a foreign Host with the token answered {status}, not 403")
    status, _ = call(base, "GET", "/__sessproxy/health")
    if status != 200:
        fail("health is not open")


def main():
    driver = browser()
    try:
        # ---- record, with the page open ----
        cassette = os.path.join(WORK, "ui.sqlite")
        recorder, port = start("record", "--upstream", f"http://127.0.0.1:{FAKE_PORT}", "--cassette", cassette)
        base = f"http://127.0.0.1:{port}"
        check_token_rule(base, port)
        started = time.monotonic()
        driver.get(f"{base}/__sessproxy/ui/?token={TOKEN}")
        wait(driver, lambda d: d.find_element(By.ID, "live").text == "live", "the live feed never connected")
        if "token=" in driver.current_url:
            fail("the token stays in the address bar")

        status, body = call(base, "POST", "/payments/v1/sessions", CREATE)
        if status != 200:
            fail(f"the create through record answered {status}: {body[:300]!r}")
        first = json.loads(body)["session_id"]
        call(base, "GET", f"/payments/v1/sessions/{first}")
        status, body = call(base, "POST", "/payments/v1/sessions", CREATE)
        second = json.loads(body)["session_id"]
        status, _ = call(base, "POST", f"/payments/v1/sessions/{second}", BROKEN_UPDATE)
        if status != 400:
            fail(f"the broken update was answered {status}, not 400")
        wait(driver, lambda d: len(rows(d)) == 4, "recorded rows did not arrive in the open page without a reload")
        arrived = time.monotonic() - started
        operations = [r.get_attribute("data-operation") for r in rows(driver)]
        if operations != ["create", "read", "create", "update"]:
            fail(f"rows arrived as {operations}")

        session_input = driver.find_element(By.CSS_SELECTOR, 'input[name="session"]')
        session_input.send_keys(second)
        wait(driver, lambda d: len(rows(d)) == 2, "filtering by session did not leave that session's two rows")
        wait(driver, lambda d: f"session={second}" in d.current_url, "the session filter is not kept in the address")
        # A filter change is a step Back undoes, and Forward brings back.
        driver.back()
        wait(driver, lambda d: len(rows(d)) == 4 and "session=" not in d.current_url, "Back did not undo the session filter")
        driver.forward()
        wait(driver, lambda d: len(rows(d)) == 2 and driver.find_element(By.CSS_SELECTOR, 'input[name="session"]').get_attribute("value") == second,
             "Forward did not bring the session filter back")
        free_text = driver.find_element(By.CSS_SELECTOR, 'input[name="q"]')
        free_text.send_keys("SKU-TR-42")
        wait(driver, lambda d: len(rows(d)) == 2, "free text over bodies dropped rows")

        failed = next(r for r in rows(driver) if r.get_attribute("data-status") == "400")
        failed_id = failed.get_attribute("data-exchange-id")
        failed.click()
        detail = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'article[data-detail-for="{failed_id}"]'), "the failed update's detail did not open")[0]
        rules = [e.get_attribute("data-rule") for e in detail.find_elements(By.CSS_SELECTOR, "[data-rule]")]
        if "line-total" not in rules:
            fail(f"the failed update shows rules {rules}, not line-total")
        redacted = detail.find_elements(By.CSS_SELECTOR, ".redacted")
        if not redacted or not all(e.text.startswith("redacted") for e in redacted):
            fail("no redacted value is marked in the detail")
        if "inspector-e2e-secret" in driver.page_source or "ui.canary@example.com" in driver.page_source:
            fail("a secret or personal datum reached the page")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#timeline li"), "the session timeline did not show")
        driver.save_screenshot(os.path.join(WORK, "inspector-record.png"))

        # Keyboard: Escape closes, j moves, Enter opens.
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        for name in ["session", "q"]:
            field = driver.find_element(By.CSS_SELECTOR, f'input[name="{name}"]')
            field.send_keys(Keys.CONTROL, "a")
            field.send_keys(Keys.BACKSPACE)
        driver.find_element(By.CSS_SELECTOR, 'input[name="q"]').send_keys(Keys.ESCAPE)
        wait(driver, lambda d: len(rows(d)) == 4, "clearing the filters did not bring the rows back")
        body = driver.find_element(By.TAG_NAME, "body")
        # The first move lands on the newest row, where the list opens; k goes up from there.
        for key in ["j", "k", "k"]:
            body.send_keys(key)
        body.send_keys(Keys.ENTER)
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, 'article[data-detail-for="2"]'), "j, k, k, Enter did not open the second row")
        # Compare the two creates through the diff engine: k to the first row, c marks, j j, c.
        for key in ["k", "c", "j", "j", "c"]:
            body.send_keys(key)
        driver.find_element(By.ID, "compare").click()
        compared = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, 'article[data-compare="1-3"]'), "compare of #1 and #3 did not show")[0]
        if "sessproxy diff" not in compared.text:
            fail("compare does not show the diff engine's report")

        code, output = stop(recorder, "record")
        if code != 0:
            fail(f"record exited {code} after SIGTERM:\n{output}")
        if "/__sessproxy/ui/?token=" not in output:
            fail("record did not print the inspector's URL")

        # ---- replay: a hit and a miss ----
        replayer, port = start("replay", "--cassette", cassette)
        base = f"http://127.0.0.1:{port}"
        driver.get(f"{base}/__sessproxy/ui/?token={TOKEN}")
        wait(driver, lambda d: d.find_element(By.ID, "live").text == "live", "the replay page's live feed never connected")
        status, _ = call(base, "POST", "/payments/v1/sessions", CREATE)
        if status != 200:
            fail(f"replayed create answered {status}")
        status, _ = call(base, "POST", "/payments/v1/sessions", dict(CREATE, locale="sv-SE"))
        if status != 404:
            fail(f"a create nobody recorded answered {status}, not a 404 miss")
        wait(driver, lambda d: [r.get_attribute("data-replay") for r in rows(d)] == ["hit", "miss"], "replay rows are not marked hit then miss")
        miss = rows(driver)[1]
        miss.click()
        detail = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, 'article[data-detail-for="2"] .miss'), "the miss's report did not show")[0]
        if "locale" not in detail.text:
            fail("the miss report does not name the field that differs (locale)")
        rows(driver)[0].click()
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, 'article[data-detail-for="1"] [data-recorded-link="1"]'), "the hit does not link its recorded exchange")
        driver.find_element(By.CSS_SELECTOR, '[data-recorded-link="1"]').click()
        wait(driver, lambda d: "Recorded exchange #1" in d.find_element(By.ID, "detail").text, "the recorded exchange did not open")
        time.sleep(0.5)
        if driver.find_elements(By.CSS_SELECTOR, "#timeline li"):
            fail("a recorded exchange shows the replay run's served requests as its session timeline")
        path_width = rows(driver)[0].find_element(By.CSS_SELECTOR, "td.path").size["width"]
        if path_width < 200:
            fail(f"with the detail open in replay, the Path column is {path_width} px wide at 1280 px")
        credential = AUTH.split(" ", 1)[1]
        if credential in driver.page_source or "ui.canary@example.com" in driver.page_source:
            fail("the replayed request's credential or personal data reached the page")
        driver.save_screenshot(os.path.join(WORK, "inspector-replay.png"))
        code, output = stop(replayer, "replay")
        if code != 0:
            fail(f"replay exited {code}:\n{output}")
        # Restarted on the same address and token, replay numbers its requests from 1 again: the
        # open page shows the new run's rows, not the old run's with the new ones skipped.
        replayer, port = start("replay", "--cassette", cassette, port=port)
        wait(driver, lambda d: d.find_element(By.ID, "live").text == "live", "the page did not reconnect to the restarted replay")
        status, _ = call(base, "POST", "/payments/v1/sessions", dict(CREATE, locale="sv-SE"))
        if status != 404:
            fail(f"a create nobody recorded answered {status} after the restart")
        wait(driver, lambda d: [(r.get_attribute("data-exchange-id"), r.get_attribute("data-replay")) for r in rows(d)] == [("1", "miss")],
             "after replay restarted with the same token, the page did not show the new run's first request alone")
        if driver.find_element(By.ID, "detail").is_displayed():
            fail("the previous run's exchange stayed open after replay restarted")
        code, output = stop(replayer, "replay")
        if code != 0:
            fail(f"the restarted replay exited {code}:\n{output}")

        # ---- inspect, at rest ----
        inspector, port = start("inspect", cassette)
        base = f"http://127.0.0.1:{port}"
        status, body = call(base, "GET", "/__sessproxy/api/exchanges?status=4xx", headers={"Authorization": f"Bearer {TOKEN}"})
        listed = json.loads(body)["exchanges"] if status == 200 else []
        if [row["operation"] for row in listed] != ["update"]:
            fail(f"inspect's API listed {listed} for status=4xx")
        status, _ = call(base, "POST", "/payments/v1/sessions", CREATE)
        if status != 404:
            fail(f"inspect forwarded or answered a Klarna request with {status}")
        driver.get(f"{base}/__sessproxy/ui/?token={TOKEN}")
        wait(driver, lambda d: d.find_element(By.ID, "live").text.strip() == "at rest", "inspect's page did not say it shows a file at rest")
        # A link to a view: filters and the open exchange after `#`.
        driver.get(f"{base}/__sessproxy/ui/?token={TOKEN}#status=4xx&open={failed_id}")
        wait(driver, lambda d: [r.get_attribute("data-status") for r in rows(d)] == ["400"], "a link with #status=4xx did not filter the list")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'article[data-detail-for="{failed_id}"]'), "a link with #open= did not open that exchange")
        if Select(driver.find_element(By.NAME, "status")).first_selected_option.text != "4xx":
            fail("a link's status filter is not shown in the filter")
        if "token=" in driver.current_url or "status=4xx" not in driver.current_url:
            fail(f"the address after opening a link is {driver.current_url}")
        code, _ = stop(inspector, "inspect")
        if code != 0:
            fail(f"inspect exited {code}")

        # ---- the same address restarted with a new token: the open page says it is signed out ----
        again = subprocess.Popen([BIN, "inspect", cassette, "--listen", f"127.0.0.1:{port}", "--ui-token", "another-token-0123456789"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        STARTED.append(again)
        wait_port(port)
        wait(driver, lambda d: "signed out" in d.find_element(By.ID, "live").text,
             "after a restart with a new token the page did not say it was signed out", seconds=30)
        stop(again, "inspect")

        # ---- a long recording: the page opens on the newest rows, pages back, and stays live ----
        long_cassette = os.path.join(WORK, "ui-long.sqlite")
        recorder, port = start("record", "--upstream", f"http://127.0.0.1:{FAKE_PORT}", "--cassette", long_cassette)
        base = f"http://127.0.0.1:{port}"
        status, body = call(base, "POST", "/payments/v1/sessions", CREATE)
        session = json.loads(body)["session_id"]
        for _ in range(249):
            call(base, "GET", f"/payments/v1/sessions/{session}")
        driver.get(f"{base}/__sessproxy/ui/?token={TOKEN}")
        wait(driver, lambda d: d.find_element(By.ID, "live").text == "live", "the long recording's live feed never connected")
        ids = lambda d: [int(r.get_attribute("data-exchange-id")) for r in rows(d)]
        wait(driver, lambda d: ids(d) == list(range(51, 251)), "a long recording did not open on its newest 200 rows in order")
        driver.execute_script("document.getElementById('list').scrollTop = 0")
        driver.save_screenshot(os.path.join(WORK, "inspector-long.png"))
        driver.find_element(By.ID, "load-older").click()
        wait(driver, lambda d: ids(d) == list(range(1, 251)), "Load older did not bring the first 50 rows above the others")
        if driver.find_element(By.ID, "load-older").is_displayed():
            fail("Load older is still offered with every row shown")
        call(base, "GET", f"/payments/v1/sessions/{session}")
        wait(driver, lambda d: ids(d)[-1:] == [251], "a row recorded after paging back did not arrive at the end")
        stop(recorder, "record")

        # ---- inspect A B: switching to the other cassette closes the first one's open detail ----
        both, both_port = start("inspect", cassette, cassette)
        driver.get(f"http://127.0.0.1:{both_port}/__sessproxy/ui/?token={TOKEN}")
        wait(driver, lambda d: len(rows(d)) > 0, "inspect A B listed no rows")
        rows(driver)[0].click()
        wait(driver, lambda d: d.find_element(By.ID, "detail").is_displayed(), "a row's detail did not open in inspect A B")
        Select(driver.find_element(By.NAME, "cassette")).select_by_value("b")
        wait(driver, lambda d: not d.find_element(By.ID, "detail").is_displayed(), "switching to cassette B left A's detail open")
        stop(both, "inspect")
        print(f"inspector: rows arrived {arrived:.1f} s after the page opened; screenshots in {WORK}")
    finally:
        driver.quit()
        stop_all()


if __name__ == "__main__":
    main()
