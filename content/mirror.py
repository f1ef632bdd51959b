"""A reference mirror of the HipKnee API: a copy of every public detail and article section,
kept up to date from the change feed (docs/api.md#mirroring-our-content). Standard library
only, no Django: copy it into your app. README.md shows it and the test suite runs it.

    python -m content.mirror http://127.0.0.1:8000/api/v1 mirror.json     # sync, then exit
    python -m content.mirror http://127.0.0.1:8000/api/v1 mirror.json 8765 a-long-secret
                                              # and sync again on every signed webhook on :8765
"""

import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

PATHS = {"article": "articles", "condition": "conditions", "cause": "causes",
         "symptom": "symptoms", "warning_sign": "warning-signs", "treatment": "treatments"}
PAGE_SIZE = 500


def fetch(url: str) -> bytes | None:
    """The body at `url`, or None for a 404 (the item was withdrawn since: a later entry of
    the feed says so). Any other error is raised."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


class Mirror:
    """{detail or section URL: body} and the feed cursor to read on from."""

    def __init__(self, api: str, state: dict | None = None) -> None:
        self.api = api.rstrip("/")
        self.cursor = (state or {}).get("cursor")
        self.bodies: dict[str, str] = (state or {}).get("bodies", {})

    def state(self) -> dict:
        return {"cursor": self.cursor, "bodies": self.bodies}

    def sync(self, compact: bool = True) -> int:
        """Apply every entry after the cursor; returns how many. Compacted, a fresh mirror
        reads one entry per item live now, not the whole history."""
        applied = 0
        while True:
            query = f"page_size={PAGE_SIZE}&compact={'true' if compact else 'false'}"
            if self.cursor:
                query += f"&since={self.cursor}"
            page = json.loads(fetch(f"{self.api}/changes/?{query}"))
            for entry in page["results"]:
                self.apply(entry)
            applied += len(page["results"])
            self.cursor = page["next_cursor"]
            if len(page["results"]) < PAGE_SIZE:
                return applied

    def apply(self, entry: dict) -> None:
        """`unpublished`: forget the item; `published`/`updated`: fetch it (and an article's
        sections) again."""
        url = f"{self.api}/{PATHS[entry['type']]}/{entry['slug']}/"
        for stale in [key for key in self.bodies if key.startswith(url)]:
            del self.bodies[stale]  # the item, and an article's sections
        body = fetch(url) if entry["action"] != "unpublished" else None
        if body is None:
            return
        self.bodies[url] = body.decode()
        for section in json.loads(body).get("sections", []):
            section_url = f"{url}sections/{section['kind']}/"
            if (section_body := fetch(section_url)) is not None:
                self.bodies[section_url] = section_body.decode()


def verified(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """True if a webhook delivery was signed with `secret` within `tolerance` seconds."""
    timestamp = headers.get("X-HipKnee-Timestamp", "0")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False  # too old (or from the future): a replay
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("X-HipKnee-Signature", ""), f"sha256={expected}")


def main(api: str, path: str, port: str | None = None, secret: str | None = None) -> None:
    try:
        with open(path) as file:
            mirror = Mirror(api, json.load(file))
    except FileNotFoundError:
        mirror = Mirror(api)

    def sync() -> None:
        print(f"{mirror.sync()} changes applied, {len(mirror.bodies)} bodies held", flush=True)
        with open(path, "w") as file:
            json.dump(mirror.state(), file)

    sync()
    if port is None:
        return

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ok = verified(secret, self.headers, body)
            self.send_response(204 if ok else 401)
            self.end_headers()
            if ok:  # the delivery says *that* something changed; the feed says what
                sync()

    HTTPServer(("127.0.0.1", int(port)), Webhook).serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:])
