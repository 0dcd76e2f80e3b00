"""PISTE and Chorus Pro played by a local HTTP server (the real ones cannot be reached from the tests): the token
endpoint, the deposit and the detailed report, shaped on their public documentation (see billing/chorus/client.py).
Every request is recorded; answers can be scripted."""

from __future__ import annotations

import itertools
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLIENT_ID, CLIENT_SECRET = "client-id", "client-secret"
TOKEN_PATH = "/api/oauth/token"
FLUX = "CPP0011110000000000001557"


class StandIn:
    def __init__(self):
        self.requests: list[dict] = []
        self.valid_tokens: set[str] = set()
        self.tokens_issued = 0
        self.token_lifetime = 3600
        self.deposit_answers: list[tuple[int, dict]] = []  # scripted, first in first out; then a success
        self.reports: list[tuple[int, dict]] = []  # scripted reports; none left: 500
        self._serial = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> StandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def revoke_tokens(self) -> None:
        self.valid_tokens.clear()

    def of(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    def report(self, state: str, **extra) -> None:
        self.reports.append((200, {"numeroFluxDepot": FLUX, "etatCourantDepotFlux": state, "codeRetour": 0, **extra}))

    def _answer(self, path: str, headers: dict, body: bytes) -> tuple[int, dict]:
        if path == TOKEN_PATH:
            form = urllib.parse.parse_qs(body.decode())
            if form.get("client_id") != [CLIENT_ID] or form.get("client_secret") != [CLIENT_SECRET]:
                return 401, {"error": "invalid_client"}
            if form.get("grant_type") != ["client_credentials"]:
                return 400, {"error": "unsupported_grant_type"}
            token = f"token-{next(self._serial)}"
            self.valid_tokens.add(token)
            self.tokens_issued += 1
            return 200, {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime}
        bearer = headers.get("authorization", "").removeprefix("Bearer ")
        if bearer not in self.valid_tokens:
            return 401, {"error": "invalid_token"}
        if path == "/cpro/factures/v1/deposer/flux":
            if self.deposit_answers:
                return self.deposit_answers.pop(0)
            return 200, {
                "codeRetour": 0,
                "libelle": "GCU_MSG_01_000",
                "numeroFluxDepot": FLUX,
                "dateDepot": "2026-06-15",
            }
        if path == "/cpro/transverses/v1/consulterCRDetaille":
            return self.reports.pop(0) if self.reports else (500, {"libelle": "no report scripted"})
        return 404, {"libelle": f"no such path {path}"}

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}  # names are case-blind
                standin.requests.append({"path": self.path, "headers": headers, "body": body})
                status, answer = standin._answer(self.path, headers, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        return Handler
