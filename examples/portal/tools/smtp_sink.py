#!/usr/bin/python3
"""Local SMTP sink for the portal demo: accepts every message (and any AUTH login) on
127.0.0.1:2525 and logs its subject. Debian's python3-aiosmtpd; run with /usr/bin/python3."""

import argparse
import logging
import signal
import sys
import threading
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    async def handle_DATA(self, server, session, envelope):
        subject = BytesHeaderParser().parsebytes(envelope.original_content or b"").get("Subject", "")
        print(f"smtp_sink: from={envelope.mail_from} to={','.join(envelope.rcpt_tos)} "
              f"subject={subject!r}", flush=True)
        return "250 OK"


def accept_any(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=True)  # a demo sink: the credentials are fake anyway


def main():
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd 1.4 warns about its own API
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    args = parser.parse_args()
    controller = Controller(Sink(), hostname=args.host, port=args.port, authenticator=accept_any,
                            auth_require_tls=False)
    controller.start()
    print(f"smtp_sink: listening on {args.host}:{args.port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
