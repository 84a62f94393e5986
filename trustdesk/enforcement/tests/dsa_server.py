"""A local stand-in for the DSA Transparency Database API, applying the same rules as the
real one (../shared/reference/dsa-sor-api.md): bearer token, bulk of 1-100 statements
validated against the reference schema, all-or-nothing 422 with per-statement errors,
PUIDs unique forever and within a request, 429 on demand, existing-puid look-ups.

It validates with the reference copy in /work/shared, not the product's shipped copy, so a
drift between the two shows up as a failing test."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference"
TOKEN = "test-token-123"


@dataclass
class Behaviour:
    """Knobs a test turns: answer 429 for the next N posts, drop the connection for the
    next N posts (before or after storing the batch)."""

    rate_limit_posts: int = 0
    retry_after: str = "120"
    drop_before_store: int = 0
    drop_after_store: int = 0


@dataclass
class FakeDatabase:
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: list[list[str]] = field(default_factory=list)
    behaviour: Behaviour = field(default_factory=Behaviour)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        schema = json.loads((REFERENCE / "dsa-sor.schema.json").read_text(encoding="utf-8"))
        self.validator = Draft202012Validator(schema, format_checker=FormatChecker())

    def errors_for(self, statements: list[Any]) -> dict[str, dict[str, list[str]]]:
        errors: dict[str, dict[str, list[str]]] = {}
        seen: set[str] = set()
        for index, statement in enumerate(statements):
            found: dict[str, list[str]] = {}
            for error in self.validator.iter_errors(statement):
                key = str(error.absolute_path[0]) if error.absolute_path else "statement"
                found.setdefault(key, []).append(error.message)
            puid = statement.get("puid") if isinstance(statement, dict) else None
            if isinstance(puid, str):
                if puid in self.stored:
                    found.setdefault("puid", []).append(
                        "The identifier given is not unique within this platform."
                    )
                elif puid in seen:
                    found.setdefault("puid", []).append("The puid is not unique in this call.")
                seen.add(puid)
            if found:
                errors[f"statement_{index}"] = found
        return errors


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        self.close_connection = True
        self.connection.close()

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._reply(401, {"message": "Unauthenticated."})
            return False
        return True

    def do_GET(self) -> None:
        if not self._authorised():
            return
        prefix = "/api/v1/statement/existing-puid/"
        if not self.path.startswith(prefix):
            self._reply(404, {"message": "Not found"})
            return
        puid = self.path[len(prefix) :]
        db = self.server.db
        if puid in db.stored:
            self.send_response(302)
            self.send_header("Location", f"/api/v1/statement/{db.stored[puid]['uuid']}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._reply(404, {"message": "statement not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if not self._authorised():
            return
        if self.path != "/api/v1/statements":
            self._reply(404, {"message": "Not found"})
            return
        db = self.server.db
        with db.lock:
            behaviour = db.behaviour
            if behaviour.rate_limit_posts:
                behaviour.rate_limit_posts -= 1
                self._reply(429, {"message": "Too Many Attempts."}, {"Retry-After": "120"})
                return
            if behaviour.drop_before_store:
                behaviour.drop_before_store -= 1
                self._drop()
                return
            statements = json.loads(raw).get("statements")
            if not isinstance(statements, list) or not 1 <= len(statements) <= 100:
                self._reply(422, {"errors": {"statements": ["between 1 and 100 statements"]}})
                return
            db.posts.append([s.get("puid", "") for s in statements])
            errors = db.errors_for(statements)
            if errors:
                self._reply(422, {"message": "The given data was invalid.", "errors": errors})
                return
            created = []
            for statement in statements:
                uuid = f"uuid-{len(db.stored) + 1}"
                db.stored[statement["puid"]] = {"uuid": uuid, "statement": statement}
                created.append({"uuid": uuid, "puid": statement["puid"]})
            if behaviour.drop_after_store:
                behaviour.drop_after_store -= 1
                self._drop()
                return
            self._reply(201, {"statements": created})


class _Server(ThreadingHTTPServer):
    db: FakeDatabase


@contextmanager
def running_server() -> Iterator[tuple[str, FakeDatabase]]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.db = FakeDatabase()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.db
    finally:
        server.shutdown()
        server.server_close()
