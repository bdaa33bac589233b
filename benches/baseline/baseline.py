#!/usr/bin/python3
"""The script a support team would write instead of onbehalf: the benchmark baseline.

In: an INI file naming the IMAP account, the SMTP server and the platform (see
BASELINE_INI in benches/pipeline/servers.rs for every key). Out: for every unseen message
in the folder, one signup on the platform and one credentials mail, then the message moved
to the done folder (or a ticket mail to the help desk and the message moved to the failed
folder). With --once it checks the mailbox once and exits; otherwise it checks it every
--poll seconds, like a cron job (log in, handle what is new, log out).

It uses only what Debian ships: imaplib, email, html.parser, smtplib and python3-requests.
Deliberately plain: one message at a time, a fresh IMAP login per check, a fresh SMTP
connection per mail, a fresh requests.Session (cookie jar) per signup.

With `engine = browser` in [platform] it signs up as a team scripts a page that JavaScript
builds, with Selenium (Debian's python3-selenium and chromium-driver): per signup it
launches a headless Chromium, opens the invite, waits for the form and the pre-filled
login, types the password twice, ticks the checkbox, submits, waits for the success URL
and quits the browser.

--stats FILE appends one JSON object per message with wall-clock timestamps of each step,
which the benchmark harness reads; a support team's script would not have it.
"""

import argparse
import configparser
import email
import html
import imaplib
import json
import os
import re
import secrets
import smtplib
import ssl
import string
import sys
import time
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

SYMBOLS = "!@#$%^&*"


class FormParser(HTMLParser):
    """Collects every form: its action, method and fields (inputs and selects)."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": attrs.get("action", ""), "method": attrs.get("method", "get"),
                 "fields": []})
        elif not self.forms:
            return
        elif tag == "input":
            self.forms[-1]["fields"].append(
                (attrs.get("type", "text"), attrs.get("name"), attrs.get("value") or ""))
        elif tag == "select":
            self.select = [attrs.get("name"), None]
        elif tag == "option" and self.select is not None:
            if self.select[1] is None or "selected" in attrs:
                self.select[1] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None and self.forms:
            self.forms[-1]["fields"].append(("select", self.select[0], self.select[1] or ""))
            self.select = None


def generate_password(length=12):
    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS]
    chars = [secrets.choice(c) for c in classes]
    everything = "".join(classes)
    chars += [secrets.choice(everything) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def sender_authenticated(msg, trusted):
    for header in msg.get_all("Authentication-Results", []):
        authserv = str(header).split(";", 1)[0].strip()
        if authserv == trusted:
            return re.search(r"\bdmarc=pass\b", str(header)) is not None
    return False


def find_invite(msg, pattern):
    for part in msg.walk():
        if part.get_content_type() in ("text/html", "text/plain"):
            found = re.search(pattern, html.unescape(part.get_content()))
            if found:
                return found.group(0)
    return None


def sign_up(cfg, link):
    """Opens the invite in a fresh session, fills the form, returns (email, password)."""
    platform = cfg["platform"]
    session = requests.Session()
    page = session.get(link, verify=platform["ca_file"], timeout=30)
    page.raise_for_status()
    parser = FormParser()
    parser.feed(page.text)
    form = next(f for f in parser.forms if any(t == "password" for t, _, _ in f["fields"]))
    password = generate_password()
    data, login = [], None
    for kind, name, value in form["fields"]:
        if not name:
            continue
        if kind == "password":
            data.append((name, password))
        elif kind == "checkbox":
            if name == platform["checkbox"]:
                data.append((name, value or "on"))
        else:
            data.append((name, value))
            if kind == "email":
                login = value
    landed = session.post(urljoin(page.url, form["action"]), data=data,
                          verify=platform["ca_file"], timeout=30)
    if landed.status_code != 200 or not landed.url.startswith(platform["success_url"]):
        raise RuntimeError(f"signup ended on {landed.url} ({landed.status_code})")
    session.close()
    return login, password


def sign_up_in_browser(cfg, link):
    """The same with a fresh headless Chromium driven by Selenium; returns (email, password)."""
    # Imported here: the HTTP mode must not need Selenium.
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    platform = cfg["platform"]
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--incognito", "--disable-gpu", "--no-first-run"):
        options.add_argument(arg)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses root otherwise
    # The staging platform's certificate comes from a private CA.
    options.accept_insecure_certs = True
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(link)
        wait = WebDriverWait(driver, 30)
        # The form and the login arrive by script; wait for both.
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "form input[type=password]")) >= 2)
        login_field = driver.find_element(By.CSS_SELECTOR, "form input[type=email]")
        wait.until(lambda d: login_field.get_attribute("value"))
        login = login_field.get_attribute("value")
        password = generate_password()
        form = driver.find_element(By.XPATH, "//input[@type='password']/ancestor::form")
        for field in form.find_elements(By.CSS_SELECTOR, "input[type=password]"):
            field.send_keys(password)
        box = form.find_element(By.NAME, platform["checkbox"])
        if not box.is_selected():
            box.click()
        form.find_element(By.CSS_SELECTOR, "[type=submit]").click()
        wait.until(lambda d: d.current_url.startswith(platform["success_url"]))
        return login, password
    finally:
        driver.quit()


def send_mail(cfg, to, subject, body):
    smtp = cfg["smtp"]
    mail = EmailMessage()
    mail["From"] = smtp["from"]
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content(body)
    context = ssl.create_default_context(cafile=smtp["ca_file"])
    with smtplib.SMTP(smtp["host"], int(smtp["port"]), timeout=30) as server:
        server.starttls(context=context)
        server.login(smtp["user"], read_secret(smtp["password_file"]))
        server.send_message(mail)


def handle(cfg, raw, stats):
    msg = email.message_from_bytes(raw, policy=policy.default)
    sender = parseaddr(str(msg.get("From", "")))[1]
    if not sender_authenticated(msg, cfg["platform"]["trusted_authserv_id"]):
        raise RuntimeError(f"sender {sender} not authenticated")
    link = find_invite(msg, cfg["platform"]["invite_pattern"])
    if link is None:
        raise RuntimeError("no invite link")
    stats["parsed"] = time.time()
    if cfg["platform"].get("engine", "http") == "browser":
        login, password = sign_up_in_browser(cfg, link)
    else:
        login, password = sign_up(cfg, link)
    stats["signed_up"] = time.time()
    send_mail(cfg, login or sender, "Your account",
              f"Your account was created.\n\nLogin: {login}\nPassword: {password}\n\n"
              "Please change this password right after your first login.\n")
    stats["sent"] = time.time()


def read_secret(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def check_mailbox(cfg, stats_file):
    imap = cfg["imap"]
    context = ssl.create_default_context(cafile=imap["ca_file"])
    box = imaplib.IMAP4_SSL(imap["host"], int(imap["port"]), ssl_context=context)
    box.login(imap["user"], read_secret(imap["password_file"]))
    for folder in (imap["done"], imap["failed"]):
        box.create(folder)  # answers NO when it exists already
    box.select(imap["folder"])
    _, found = box.uid("SEARCH", None, "UNSEEN")
    for uid in found[0].split():
        stats = {"uid": int(uid), "start": time.time()}
        _, data = box.uid("FETCH", uid, "(RFC822)")
        raw = data[0][1]
        stats["fetched"] = time.time()
        try:
            handle(cfg, raw, stats)
            box.uid("MOVE", uid, imap["done"])
            stats["outcome"] = "done"
        except Exception as error:  # anything: tell the help desk, keep going
            print(f"message {int(uid)}: {error}", file=sys.stderr)
            send_mail(cfg, cfg["platform"]["helpdesk"], "Signup failed",
                      f"Could not handle message {int(uid)}: {error}\n")
            box.uid("MOVE", uid, imap["failed"])
            stats["outcome"] = "failed"
        stats["filed"] = time.time()
        if stats_file:
            stats_file.write(json.dumps(stats) + "\n")
            stats_file.flush()
    box.logout()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--poll", type=float, default=60.0)
    parser.add_argument("--stats")
    args = parser.parse_args()
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(args.config)
    stats_file = open(args.stats, "a", encoding="utf-8") if args.stats else None
    while True:
        started = time.monotonic()
        try:
            check_mailbox(cfg, stats_file)
        except Exception as error:
            print(f"mailbox check failed: {error}", file=sys.stderr)
            if args.once:
                return 1
        if args.once:
            return 0
        time.sleep(max(0.0, args.poll - (time.monotonic() - started)))


if __name__ == "__main__":
    sys.exit(main())
