"""A real HTTP webhook receiver on 127.0.0.1, run in a thread, for delivery tests.

It verifies every request's signature the way a subscriber should (see README, "Mirror our
content") and answers with the next scripted status (200 once the script is used up). It can
also be slow: wait `delay(request)` seconds before answering, or `drip` its answer one byte
every `drip` seconds (for `drip_for` seconds at most). `start_silent` serves a port that
accepts connections and never says a word (a TLS handshake that never completes).
"""

import hashlib
import hmac
import json
import socketserver
import threading
import time
from collections.abc import Callable
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
    #: Seconds to wait before answering a request (None: answer at once).
    delay: Callable[[Received], float] | None = None
    #: Seconds between the bytes of a dripped answer (None: answer in one piece).
    drip: float | None = None
    drip_for: float = 10.0
    #: The body of a non-2xx answer.
    refusal: bytes = b"receiver says no"

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
            request = Received(self.path, headers, body, receiver.verify(headers, body), answer)
            receiver.received.append(request)  # before answering: the sender sees it recorded
            if receiver.delay is not None:
                time.sleep(receiver.delay(request))
            if receiver.drip is not None:
                self.drip_answer()
            elif answer == 302:
                self.send_response(302)
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                text = b"ok" if answer < 300 else receiver.refusal
                self.send_response(answer)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

        def drip_answer(self):
            """A 200 whose status line and headers never end, one byte at a time."""
            answer = b"HTTP/1.1 200 OK\r\nX-Drip: " + b"." * 1000
            stop = time.monotonic() + receiver.drip_for
            for byte in answer:
                if time.monotonic() >= stop:
                    break
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:  # the sender gave up and closed the connection
                    break
                time.sleep(receiver.drip)
            self.close_connection = True

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server


def start_silent() -> socketserver.ThreadingTCPServer:
    """Accept connections on a free loopback port, read what comes and never answer; the
    port is `server.server_address[1]`. Shut it down like `start`'s server."""

    class Silent(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.settimeout(0.1)
            while not getattr(self.server, "stopping", False):
                try:
                    if not self.request.recv(4096):
                        return  # the client closed the connection
                except TimeoutError:
                    continue
                except OSError:
                    return

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True

        def shutdown(self):
            self.stopping = True
            super().shutdown()

    server = Server(("127.0.0.1", 0), Silent)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server
