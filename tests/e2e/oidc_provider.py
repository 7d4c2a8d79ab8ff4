"""A small OpenID Connect provider on 127.0.0.1 for the browser tests (never for production).

Discovery, JWKS, authorize (auto-approves the identity the test put in `provider.identity`),
token (authorization code, client_secret_basic or _post, PKCE S256, single-use codes) and
userinfo. ID tokens are RS256-signed with a key made at start-up. Everything runs in a thread of
the test process, so a test changes who logs in next by assigning `provider.identity`.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class OidcProvider:
    def __init__(self, client_id: str, client_secret: str, redirect_uris: list[str] | None = None):
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = list(redirect_uris or [])
        self.identity: dict = {"sub": "nobody"}
        self.issued: list[dict] = []          # the ID-token claims handed out, for assertions
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = secrets.token_hex(4)
        self._codes: dict[str, dict] = {}
        self._access: dict[str, dict] = {}
        self._lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):   # quiet
                pass

            def do_GET(self):
                provider._get(self)

            def do_POST(self):
                provider._post(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.issuer = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- tokens ------------------------------------------------------------------------------------
    def _sign(self, claims: dict) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": self._kid}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = self._key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"

    def _jwks(self) -> dict:
        numbers = self._key.public_key().public_numbers()
        return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self._kid,
                          "n": _int_b64(numbers.n), "e": _int_b64(numbers.e)}]}

    # -- HTTP ----------------------------------------------------------------------------------------
    @staticmethod
    def _json(handler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _get(self, handler) -> None:
        url = urlparse(handler.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self._json(handler, 200, {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
            })
        elif url.path == "/jwks":
            self._json(handler, 200, self._jwks())
        elif url.path == "/authorize":
            self._authorize(handler, query)
        elif url.path == "/userinfo":
            auth = handler.headers.get("Authorization", "")
            claims = self._access.get(auth.removeprefix("Bearer ").strip())
            if claims is None:
                self._json(handler, 401, {"error": "invalid_token"})
            else:
                self._json(handler, 200, claims)
        else:
            self._json(handler, 404, {"error": "not_found"})

    def _authorize(self, handler, query: dict) -> None:
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or (self.redirect_uris and redirect_uri not in self.redirect_uris):
            self._json(handler, 400, {"error": "invalid_request"})
            return
        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            self._json(handler, 400, {"error": "invalid_request"})
            return
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {"nonce": query.get("nonce"), "redirect_uri": redirect_uri,
                                 "challenge": query.get("code_challenge"), "identity": dict(self.identity),
                                 "expires": time.time() + 60}
        location = f"{redirect_uri}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.end_headers()

    def _post(self, handler) -> None:
        if urlparse(handler.path).path != "/token":
            self._json(handler, 404, {"error": "not_found"})
            return
        length = int(handler.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = handler.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            from urllib.parse import unquote
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
            client_id, client_secret = unquote(client_id), unquote(client_secret)
        if client_id != self.client_id or client_secret != self.client_secret:
            self._json(handler, 401, {"error": "invalid_client"})
            return
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)   # single use
        if (grant is None or grant["expires"] < time.time() or form.get("grant_type") != "authorization_code"
                or form.get("redirect_uri") != grant["redirect_uri"]):
            self._json(handler, 400, {"error": "invalid_grant"})
            return
        if grant["challenge"]:
            verifier = form.get("code_verifier", "")
            if _b64(hashlib.sha256(verifier.encode("ascii")).digest()) != grant["challenge"]:
                self._json(handler, 400, {"error": "invalid_grant"})
                return
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 600, "auth_time": now,
                  **grant["identity"]}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        self.issued.append(claims)
        access = secrets.token_urlsafe(24)
        self._access[access] = dict(grant["identity"])
        self._json(handler, 200, {"access_token": access, "token_type": "Bearer", "expires_in": 600,
                                  "id_token": self._sign(claims)})
