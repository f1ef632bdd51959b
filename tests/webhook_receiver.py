"""A real HTTP webhook receiver on 127.0.0.1, run in a thread, for delivery tests.

It verifies every request's signature the way a subscriber should (see README, "Mirror our
content") and answers with the next scripted status (200 once the script is used up).
"""

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool
    answered: int

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/hipknee?source=test"

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        timestamp = headers.get("X-HipKnee-Timestamp", "")
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(headers.get("X-HipKnee-Signature", ""), f"sha256={expected}")


def start(receiver: Receiver) -> ThreadingHTTPServer:
    """Serve `receiver` on a free loopback port until the server is shut down."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = dict(self.headers.items())
            answer = receiver.script.pop(0) if receiver.script else 200
            receiver.received.append(  # before answering, so the sender sees it recorded
                Received(self.path, headers, body, receiver.verify(headers, body), answer)
            )
            if answer == 302:
                self.send_response(302)
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                text = b"ok" if answer < 300 else b"receiver says no"
                self.send_response(answer)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server
