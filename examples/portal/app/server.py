#!/usr/bin/env python3
"""Client portal: the small web app golive deploys in its demo and tests.

Standard library only. Run: python3 app/server.py --bind ADDR --port PORT
Environment: SECRET_KEY, SMTP_URL, SMTP_USER, SMTP_PASSWORD, SMOKE_USER, SMOKE_PASSWORD, RELEASE_ID.
config.json (beside the release's app/ directory, or in app/) lists deliberate breakages under
"break" so a demo can ship a bad release and watch golive's gate catch it and roll back.
"""

import argparse
import base64
import hashlib
import hmac
import html
import json
import mimetypes
import os
import smtplib
import socket
import sys
import threading
import time
import urllib.parse
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

APP_DIR = os.path.dirname(os.path.realpath(__file__))
RELEASE_DIR = os.path.dirname(APP_DIR)
STATIC_DIR = os.path.join(APP_DIR, "static")
SESSION_TTL = 8 * 3600
KNOWN_BREAKS = {"login", "cache", "session_check", "slow", "error500", "email", "crash", "errors"}

DOCUMENTS = [
    ("INV-2026-0311", "Invoice March 2026", "Acme Logistics Ltd", "2026-03-31"),
    ("CTR-0042", "Service agreement (signed)", "Acme Logistics Ltd", "2026-01-15"),
    ("RPT-Q1", "Quarterly uptime report Q1", "Northwind Dental", "2026-04-02"),
    ("INV-2026-0412", "Invoice April 2026", "Northwind Dental", "2026-04-30"),
]


def load_breaks():
    """The deliberate breakages of this release; unknown names are a startup error."""
    for path in (os.path.join(RELEASE_DIR, "config.json"), os.path.join(APP_DIR, "config.json")):
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                breaks = set(json.load(f).get("break", []))
            unknown = breaks - KNOWN_BREAKS
            if unknown:
                raise SystemExit(f"portal: {path}: unknown break entries: {sorted(unknown)}")
            return breaks
    return set()


def release_id():
    if os.environ.get("RELEASE_ID"):
        return os.environ["RELEASE_ID"]
    try:
        with open(os.path.join(RELEASE_DIR, "VERSION"), encoding="utf-8") as f:
            return f.read().strip() or "dev"
    except OSError:
        return "dev"


class Portal:
    """Process-wide settings, read once at startup."""

    def __init__(self):
        self.breaks = load_breaks()
        # Prometheus counters served on /metrics: responses by status class, and errors (5xx
        # responses and failed background jobs).
        self.counters_lock = threading.Lock()
        self.responses = {}
        self.errors = 0
        self.release = release_id()
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32:
            raise SystemExit("portal: SECRET_KEY must be set and at least 32 characters")
        self.key = key.encode()
        self.smoke_user = os.environ.get("SMOKE_USER", "")
        self.smoke_password = os.environ.get("SMOKE_PASSWORD", "")
        self.smtp_url = os.environ.get("SMTP_URL", "smtp://127.0.0.1:2525")
        self.smtp_user = os.environ.get("SMTP_USER", "")
        self.smtp_password = os.environ.get("SMTP_PASSWORD", "")

    def sign(self, user):
        payload = base64.urlsafe_b64encode(f"{user}|{int(time.time()) + SESSION_TTL}".encode())
        mac = hmac.new(self.key, payload, hashlib.sha256).hexdigest()
        return f"{payload.decode()}.{mac}"

    def verify(self, token):
        """The user of a valid, unexpired session token, else None."""
        payload, _, mac = token.partition(".")
        want = hmac.new(self.key, payload.encode(), hashlib.sha256).hexdigest()
        if not mac or not hmac.compare_digest(mac, want):
            return None
        try:
            user, _, expires = base64.urlsafe_b64decode(payload).decode().rpartition("|")
            return user if int(expires) > time.time() else None
        except (ValueError, UnicodeDecodeError):
            return None

    def credentials_ok(self, user, password):
        if "login" in self.breaks:
            return False  # the deliberate bug: every valid login is refused
        if not self.smoke_user or not self.smoke_password:
            return False
        return hmac.compare_digest(user.encode(), self.smoke_user.encode()) and hmac.compare_digest(
            password.encode(), self.smoke_password.encode()
        )

    def count_response(self, status):
        with self.counters_lock:
            key = f"{status // 100}xx"
            self.responses[key] = self.responses.get(key, 0) + 1
            if status >= 500:
                self.errors += 1

    def metrics(self):
        with self.counters_lock:
            lines = ["# TYPE portal_responses_total counter"]
            lines += [f'portal_responses_total{{code="{k}"}} {v}'
                      for k, v in sorted(self.responses.items())]
            lines += ["# TYPE portal_errors_total counter", f"portal_errors_total {self.errors}"]
        return "\n".join(lines) + "\n"

    def failing_jobs(self):
        """config.json break "errors": a background job that fails ten times a second."""
        while True:
            time.sleep(0.1)
            with self.counters_lock:
                self.errors += 1

    def send_test_email(self, to, user):
        """Sends one message through SMTP_URL; raises on any failure (the relay's non-250 too)."""
        url = urllib.parse.urlsplit(self.smtp_url)
        if url.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP_URL scheme must be smtp or smtps, not {url.scheme!r}")
        port = url.port or (465 if url.scheme == "smtps" else 25)
        if "email" in self.breaks:
            port = 1  # the deliberate bug: a mail setting that points nowhere
        msg = EmailMessage()
        msg["From"] = "portal@localhost"
        msg["To"] = to
        msg["Subject"] = f"Client portal test email ({self.release})"
        msg.set_content(f"Test email requested by {user} from release {self.release}.\n")
        cls = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
        with cls(url.hostname, port, timeout=10) as smtp:
            if url.scheme == "smtp" and smtp.has_extn("starttls"):
                smtp.starttls()
            if self.smtp_user:
                smtp.login(self.smtp_user, self.smtp_password)
            smtp.send_message(msg)  # raises unless every recipient got 250


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · Client portal</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body><header><strong>Client portal</strong>{nav}</header>
<main>{body}</main>
<footer>release {release}</footer>
<script src="/static/app.js"></script></body></html>
"""




class Handler(BaseHTTPRequestHandler):
    server_version = "portal/1"
    protocol_version = "HTTP/1.1"

    @property
    def portal(self):
        return self.server.portal

    # --- plumbing -------------------------------------------------------------------------

    def send(self, status, body=b"", content_type="text/html; charset=utf-8", headers=()):
        self.portal.count_response(status)
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, location, headers=()):
        self.send(303, "", "text/plain", [("Location", location), *headers])

    def page(self, title, body, user=None, status=200, headers=()):
        nav = ""
        if user:
            nav = (
                f' <span>{html.escape(user)}</span> <form method="post" action="/logout" '
                'class="inline"><button>Log out</button></form>'
            )
        text = PAGE.format(title=html.escape(title), nav=nav, body=body,
                           release=html.escape(self.portal.release))
        self.send(status, text, headers=[("Cache-Control", "no-store"), *headers])

    def session_user(self):
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "session":
                return self.portal.verify(value)
        return None

    def read_body(self):
        """Reads the request body up front so a keep-alive connection stays in sync."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > 64 * 1024:
            self.close_connection = True
            return b""
        return self.rfile.read(length) if length > 0 else b""

    def form(self):
        raw = self.body.decode("utf-8", "replace")
        return {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}

    def log_message(self, fmt, *args):
        # Paths only: query strings and bodies may carry user data.
        sys.stderr.write(f"{self.log_date_time_string()} {self.address_string()} {fmt % args}\n")

    # --- dispatch -------------------------------------------------------------------------

    def handle_any(self):
        path = urllib.parse.urlsplit(self.path).path
        try:
            self.body = self.read_body()
        except ValueError:
            return self.send(400, "bad Content-Length\n", "text/plain")
        if "slow" in self.portal.breaks:
            time.sleep(3)
        if path == "/metrics":  # Prometheus text format, for `prometheus` checks
            return self.send(200, self.portal.metrics(), "text/plain; version=0.0.4")
        if path == "/healthz":  # liveness only: the process is up and knows its release
            return self.send(200, f"ok {self.portal.release}\n", "text/plain; charset=utf-8",
                             [("Cache-Control", "no-store")])
        if "error500" in self.portal.breaks:
            return self.send(500, "<h1>500 Internal Server Error</h1>\n")
        routes = {
            ("GET", "/"): self.home,
            ("GET", "/login"): self.login_form,
            ("POST", "/login"): self.login,
            ("POST", "/logout"): self.logout,
            ("GET", "/dashboard"): self.dashboard,
            ("POST", "/send-test-email"): self.test_email,
        }
        method = "GET" if self.command == "HEAD" else self.command
        if method == "GET" and path.startswith("/static/"):
            return self.static(path[len("/static/"):])
        route = routes.get((method, path))
        if route is None:
            if any(p == path for (_, p) in routes):
                return self.send(405, "method not allowed\n", "text/plain")
            return self.page("Not found", "<h1>Not found</h1>", status=404)
        return route()

    do_GET = do_POST = do_HEAD = handle_any

    # --- routes ---------------------------------------------------------------------------

    def home(self):
        self.page("Welcome", '<h1>Welcome</h1><p>Your documents, invoices and reports in one '
                  'place.</p><p><a class="button" href="/login">Log in</a></p>',
                  user=self.session_user())

    def login_form(self, error=""):
        note = f'<p class="error">{html.escape(error)}</p>' if error else ""
        self.page("Log in", f"""<h1>Log in</h1>{note}
<form method="post" action="/login">
<label>User <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required>
</label><button>Log in</button></form>""", status=401 if error else 200)

    def login(self):
        data = self.form()
        user = data.get("username", "")
        if not self.portal.credentials_ok(user, data.get("password", "")):
            return self.login_form("Unknown user or wrong password.")
        secure = "; Secure" if self.headers.get("X-Forwarded-Proto") == "https" else ""
        cookie = f"session={self.portal.sign(user)}; HttpOnly; Path=/; SameSite=Lax{secure}"
        self.redirect("/dashboard", [("Set-Cookie", cookie)])

    def logout(self):
        self.redirect("/", [("Set-Cookie", "session=; Max-Age=0; HttpOnly; Path=/; SameSite=Lax")])

    def dashboard(self):
        user = self.session_user()
        if user is None and "session_check" not in self.portal.breaks:
            return self.redirect("/login")
        rows = "".join(
            f"<tr><td>{html.escape(ref)}</td><td>{html.escape(title)}</td>"
            f"<td>{html.escape(client)}</td><td>{date}</td></tr>"
            for ref, title, client, date in DOCUMENTS
        )
        if "cache" in self.portal.breaks:  # the deliberate bug: a CDN may share this page
            headers = [("Cache-Control", "public, max-age=600")]
        else:
            headers = [("Cache-Control", "private, no-store"), ("Vary", "Cookie")]
        body = f"""<h1>Your documents</h1>
<table><thead><tr><th>Ref</th><th>Document</th><th>Client</th><th>Date</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2>Email</h2>
<form method="post" action="/send-test-email" id="test-email">
<label>Send a test email to <input name="to" type="email" value="canary@example.com"></label>
<button>Send</button> <span id="test-email-result"></span></form>"""
        text = PAGE.format(title="Dashboard", body=body, release=html.escape(self.portal.release),
                           nav=f" <span>{html.escape(user or 'anonymous')}</span>")
        self.send(200, text, headers=headers)

    def test_email(self):
        user = self.session_user()
        if user is None:
            return self.send(401, "login required\n", "text/plain")
        to = self.form().get("to") or "canary@example.com"
        if "\n" in to or "\r" in to or "@" not in to:
            return self.send(400, "bad recipient\n", "text/plain")
        try:
            self.portal.send_test_email(to, user)
        except (OSError, smtplib.SMTPException, ValueError) as e:
            sys.stderr.write(f"portal: test email failed: {type(e).__name__}: {e}\n")
            return self.send(502, "test email failed\n", "text/plain")
        self.send(200, "test email sent\n", "text/plain")

    def static(self, name):
        path = os.path.realpath(os.path.join(STATIC_DIR, name))
        if not path.startswith(STATIC_DIR + os.sep) or not os.path.isfile(path):
            return self.send(404, "not found\n", "text/plain")
        with open(path, "rb") as f:
            data = f.read()
        ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("javascript"):
            ctype += "; charset=utf-8"
        self.send(200, data, ctype, [("Cache-Control", "public, max-age=31536000, immutable")])


class Server(ThreadingHTTPServer):
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description="client portal demo app")
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    portal = Portal()
    if "crash" in portal.breaks:
        raise SystemExit(f"portal {portal.release}: crashing at startup (config.json break: crash)")
    if ":" in args.bind:
        Server.address_family = socket.AF_INET6
    server = Server((args.bind, args.port), Handler)
    server.portal = portal
    if "errors" in portal.breaks:
        threading.Thread(target=portal.failing_jobs, daemon=True).start()
    breaks = ",".join(sorted(portal.breaks)) or "none"
    print(f"portal {portal.release} listening on {args.bind}:{args.port} (breaks: {breaks})",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
