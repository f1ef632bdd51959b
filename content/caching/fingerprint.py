"""`CODE_FINGERPRINT`: a short hash of the project's Python sources and pinned requirements.

Every cache key and stored rendering carries it, so a deploy that changes how a response is
rendered never serves bodies rendered by the previous release from a Redis (or a database)
that outlived it.
"""

import hashlib
from pathlib import Path


def _code_fingerprint() -> str:
    """A short hash of the project's Python sources and pinned requirements."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.blake2b(digest_size=6)
    files = [root / "requirements.txt"]
    for package in ("content", "hipknee_api"):
        files.extend(sorted((root / package).rglob("*.py")))
    for path in files:
        if path.is_file() and "migrations" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


CODE_FINGERPRINT = _code_fingerprint()
