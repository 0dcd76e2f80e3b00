"""A client of Chorus Pro's API through PISTE, on the standard library's HTTP (no dependency).

What it follows, from the public documentation (looked up with the search tool, December 2026):
- PISTE's OAuth 2.0 ``client_credentials`` grant: ``POST https://oauth.piste.gouv.fr/api/oauth/token`` (sandbox:
  ``https://sandbox-oauth.piste.gouv.fr/api/oauth/token``) with ``grant_type``, ``client_id``, ``client_secret`` and
  ``scope=openid``, form-encoded; the answer's ``access_token`` and ``expires_in`` (seconds). Every call then sends
  ``Authorization: Bearer <token>`` and the technical account's ``cpro-account: base64(login:password)`` header
  (cpro-docs.choruspay.fr/en/getting-started; communaute.chorus-pro.gouv.fr, "PISTE presentation").
- ``POST <api>/factures/v1/deposer/flux`` (api ``https://api.piste.gouv.fr/cpro``) with ``fichierFlux`` (the file,
  base64), ``nomFichier``, ``syntaxeFlux`` (``IN_DP_E2_CII_FACTURX`` for a Factur-X PDF) and ``avecSignature``; the
  answer's ``codeRetour`` (0: accepted), ``libelle``, ``numeroFluxDepot`` and ``dateDepot``.
- ``POST <api>/transverses/v1/consulterCRDetaille`` with ``numeroFluxDepot`` and ``syntaxeFlux``: the deposit's
  report, ``etatCourantDepotFlux`` (``IN_DEPOSE``, ``IN_RECU``, ``IN_EN_ATTENTE_TRAITEMENT``,
  ``IN_EN_COURS_TRAITEMENT``… then ``IN_INTEGRE``, ``IN_INTEGRE_PARTIEL``, ``IN_REJETE``), ``dateHeureEtatCourantFlux``
  and, for what was refused, ``listeErreurDP`` (``libelleErreurDP``) — communaute.chorus-pro.gouv.fr,
  "Show detailed report".

The real service cannot be reached from where this was written: the tests play PISTE and Chorus Pro with a local
HTTP server (``tests/test_chorus.py``) shaped on the documentation above.

Errors: a 401 fetches a new token and tries once more; a 5xx, a timeout or a refused connection is
``ChorusUnavailable`` (retried by the queue's backoff); another 4xx, or an answer without what it must hold, is
``ChorusRefused`` (the operation fails for good with Chorus's words).
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from mesocentre.provisioning.drivers import DriverError, PermanentError

SYNTAX_FACTURX = "IN_DP_E2_CII_FACTURX"
DEPOSIT_PATH = "/factures/v1/deposer/flux"
REPORT_PATH = "/transverses/v1/consulterCRDetaille"
# A token is renewed this long before PISTE says it expires: a call never leaves with one about to lapse.
TOKEN_MARGIN = 60.0
MAX_ANSWER = 1_000_000  # bytes read of an answer; Chorus's are a few hundred


class ChorusUnavailable(DriverError):
    """Chorus Pro or PISTE did not answer, or answered 5xx: try again later."""


class ChorusRefused(PermanentError):
    """Chorus Pro or PISTE refused the request: trying it again would not help."""


@dataclass(frozen=True)
class ChorusConfig:
    token_url: str
    api_url: str
    client_id: str
    client_secret: str
    login: str
    password: str
    timeout: float = 30.0

    @classmethod
    def from_settings(cls) -> ChorusConfig:
        return cls(
            token_url=settings.MESOCENTRE_CHORUS_TOKEN_URL,
            api_url=settings.MESOCENTRE_CHORUS_API_URL.rstrip("/"),
            client_id=settings.MESOCENTRE_CHORUS_CLIENT_ID,
            client_secret=settings.MESOCENTRE_CHORUS_CLIENT_SECRET,
            login=settings.MESOCENTRE_CHORUS_LOGIN,
            password=settings.MESOCENTRE_CHORUS_PASSWORD,
            timeout=settings.MESOCENTRE_CHORUS_TIMEOUT,
        )

    def missing(self) -> list[str]:
        names = {
            "MESOCENTRE_CHORUS_CLIENT_ID": self.client_id,
            "MESOCENTRE_CHORUS_CLIENT_SECRET": self.client_secret,
            "MESOCENTRE_CHORUS_LOGIN": self.login,
            "MESOCENTRE_CHORUS_PASSWORD": self.password,
        }
        return [name for name, value in names.items() if not value]


# One token per (token URL, client) for the whole process: a worker deposits many invoices with one token.
_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def forget_tokens() -> None:
    with _tokens_lock:
        _tokens.clear()


class ChorusClient:
    def __init__(self, config: ChorusConfig, clock: Callable[[], float] = time.monotonic):
        self.config = config
        self.clock = clock

    # --- PISTE's token ---------------------------------------------------------------------------------------------
    def token(self, *, renew: bool = False) -> str:
        key = (self.config.token_url, self.config.client_id)
        with _tokens_lock:
            held = _tokens.get(key)
            if held and not renew and self.clock() < held[1] - TOKEN_MARGIN:
                return held[0]
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret,
                "scope": "openid",
            }
        ).encode()
        status, answer = self._send(
            self.config.token_url, form, {"Content-Type": "application/x-www-form-urlencoded"}, "PISTE"
        )
        if status == 401 or status == 400:
            raise ChorusRefused(f"PISTE refused the client credentials ({status}): {_words(answer)}")
        self._raise_for(status, answer, "PISTE")
        token, lifetime = answer.get("access_token"), answer.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(lifetime, int | float):
            raise ChorusUnavailable(f"PISTE's token answer holds no access_token and expires_in: {_words(answer)}")
        with _tokens_lock:
            _tokens[key] = (token, self.clock() + float(lifetime))
        return token

    # --- Chorus Pro's calls ----------------------------------------------------------------------------------------
    def deposit(self, filename: str, content: bytes) -> dict:
        """Deposit a Factur-X PDF; Chorus's answer, which holds its ``numeroFluxDepot``."""
        body = {
            "fichierFlux": base64.b64encode(content).decode("ascii"),
            "nomFichier": filename,
            "syntaxeFlux": SYNTAX_FACTURX,
            "avecSignature": False,
        }
        answer = self.call(DEPOSIT_PATH, body)
        if answer.get("codeRetour") not in (0, "0", None) or not answer.get("numeroFluxDepot"):
            raise ChorusRefused(f"Chorus Pro refused the deposit: {_words(answer)}")
        return answer

    def report(self, flux_number: str) -> dict:
        """The deposit's detailed report (``etatCourantDepotFlux`` and, when refused, ``listeErreurDP``)."""
        answer = self.call(REPORT_PATH, {"numeroFluxDepot": flux_number, "syntaxeFlux": SYNTAX_FACTURX})
        if not answer.get("etatCourantDepotFlux"):
            raise ChorusUnavailable(f"Chorus Pro's report of {flux_number} holds no status: {_words(answer)}")
        return answer

    def call(self, path: str, body: dict) -> dict:
        """POST ``body`` as JSON to the API; a 401 (a token revoked or expired early) is tried once more with a new
        token."""
        for renew in (False, True):
            headers = {
                "Authorization": f"Bearer {self.token(renew=renew)}",
                "cpro-account": base64.b64encode(f"{self.config.login}:{self.config.password}".encode()).decode(),
                "Content-Type": "application/json;charset=utf-8",
                "Accept": "application/json",
            }
            status, answer = self._send(self.config.api_url + path, json.dumps(body).encode(), headers, "Chorus Pro")
            if status != 401:
                break
        if status == 401:
            raise ChorusUnavailable(f"Chorus Pro refused two fresh tokens (401): {_words(answer)}")
        self._raise_for(status, answer, "Chorus Pro")
        return answer

    def _send(self, url: str, data: bytes, headers: dict, who: str) -> tuple[int, dict]:
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:  # noqa: S310 (https/http)
                return response.status, _json(response.read(MAX_ANSWER))
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read(MAX_ANSWER))
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ChorusUnavailable(f"{who} could not be reached at {url}: {exc}") from exc

    @staticmethod
    def _raise_for(status: int, answer: dict, who: str) -> None:
        if status >= 500 or status == 429:
            raise ChorusUnavailable(f"{who} answered {status}, will retry: {_words(answer)}")
        if status >= 400:
            raise ChorusRefused(f"{who} refused the request ({status}): {_words(answer)}")


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"text": raw[:500].decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {"value": value}


def _words(answer: dict) -> str:
    """Chorus's own words for an answer: its label and error texts, else the answer itself, bounded."""
    parts = [str(answer[k]) for k in ("libelle", "message", "error_description", "error", "text") if answer.get(k)]
    return "; ".join(parts) if parts else json.dumps(answer, ensure_ascii=False)[:500]
