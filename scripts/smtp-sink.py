#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd): every accepted message becomes one JSON file.

    smtp-sink.py --port PORT --dir DIR [--starttls CERT KEY | --implicit-tls CERT KEY]
                 [--auth USER:PASSWORD] [--fail-first N] [--refuse-rcpt TEXT] [--exit-with-stdin]

Each message is written to DIR as `message-<n>.json` (a temporary name first, then renamed, so a
reader never sees half a file). It holds the envelope and the raw bytes as received, and what
Python's own e-mail parser makes of them (decoded headers and parts, and any defects it found),
so the tests check our MIME against an independent reader. DIR/ready appears once the server
accepts connections. SIGTERM or SIGINT stops it.
"""

import argparse
import base64
import email
import email.policy
import json
import os
import signal
import ssl
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True, help="where each received message is written")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"), help="offer STARTTLS and require it before MAIL")
    tls.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"), help="TLS from the first byte (smtps)")
    parser.add_argument("--auth", metavar="USER:PASSWORD", help="require AUTH with these credentials (after TLS)")
    parser.add_argument("--fail-first", type=int, default=0, metavar="N", help="answer 451 to the first N messages")
    parser.add_argument("--refuse-rcpt", metavar="TEXT", help="answer 550 to recipients containing TEXT")
    parser.add_argument("--exit-with-stdin", action="store_true", help="stop when standard input closes (the parent died)")
    return parser.parse_args()


def describe(raw):
    """What Python's e-mail parser reads in `raw`: decoded headers, parts and defects."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    defects = [type(defect).__name__ for defect in message.defects]
    headers = []
    for name, value in message.items():
        headers.append([name, str(value)])
        defects += [f"{name}: {type(defect).__name__}" for defect in getattr(value, "defects", ())]
    parts = []
    for part in message.walk():
        defects += [type(defect).__name__ for defect in part.defects if part is not message]
        if not part.is_multipart():
            parts.append({"type": part.get_content_type(), "charset": part.get_content_charset(),
                          "encoding": part.get("Content-Transfer-Encoding"), "content": part.get_content()})

    def addresses(name):
        header = message[name]
        return [[address.display_name, address.addr_spec] for address in header.addresses] if header else []

    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return {
        "headers": headers,
        "from": addresses("From"),
        "to": addresses("To"),
        "subject": str(message["Subject"]) if message["Subject"] is not None else None,
        "content_type": message.get_content_type(),
        "parts": parts,
        "text": text.get_content() if text is not None else None,
        "html": html.get_content() if html is not None else None,
        "defects": defects,
    }


class Sink:
    """Writes what arrives; answers 451 to the first `fail_first` messages."""

    def __init__(self, directory, fail_first, refuse_rcpt):
        self.directory = directory
        self.failures_left = fail_first
        self.refuse_rcpt = refuse_rcpt
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt and self.refuse_rcpt in address:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.failures_left > 0:
                self.failures_left -= 1
                return "451 4.3.0 Try again later"
            self.count += 1
            number = self.count
        raw = envelope.original_content or envelope.content
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "raw": base64.b64encode(raw).decode("ascii"),
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "auth_user": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
        }
        record.update(describe(raw))
        final = os.path.join(self.directory, f"message-{number:05d}.json")
        temporary = final + ".tmp"
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump(record, file)
        os.rename(temporary, final)
        return "250 2.0.0 Message accepted"


def authenticator(user, password):
    """Accepts exactly `user` and `password` (PLAIN or LOGIN)."""

    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and auth_data.password == password.encode()
        # handled=False: aiosmtpd then answers 535 itself (its default, True, answers nothing).
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return check


def tls_context(cert, key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def main():
    arguments = parse_arguments()
    # aiosmtpd's own deprecation (it still sets login_data) and its warning about AUTH without
    # STARTTLS, which implicit TLS makes moot: noise in the tests' logs.
    warnings.filterwarnings("ignore", message="Session.login_data")
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    os.makedirs(arguments.dir, exist_ok=True)
    options = {"hostname": arguments.host, "port": arguments.port, "ident": "atrium-smtp-sink"}
    if arguments.starttls:
        options.update(tls_context=tls_context(*arguments.starttls), require_starttls=True)
    if arguments.implicit_tls:
        options["ssl_context"] = tls_context(*arguments.implicit_tls)
        # aiosmtpd counts only STARTTLS as TLS for AUTH; this connection is encrypted from the start.
        options["auth_require_tls"] = False
    if arguments.auth:
        user, _, password = arguments.auth.partition(":")
        options.update(auth_required=True, authenticator=authenticator(user, password))
    controller = Controller(Sink(arguments.dir, arguments.fail_first, arguments.refuse_rcpt), **options)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    ready = os.path.join(arguments.dir, "ready")
    with open(ready + ".tmp", "w") as file:
        file.write(str(os.getpid()))
    os.rename(ready + ".tmp", ready)
    if arguments.exit_with_stdin:
        # A parent killed without a chance to signal still closes its end of our stdin.
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
