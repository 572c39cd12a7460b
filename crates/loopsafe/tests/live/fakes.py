"""What the two fake-upstream scripts share: the signing key, its JWKS entry, signed
tokens, and a handler base that answers JSON."""

import json
from http.server import BaseHTTPRequestHandler

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWK = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
JWK.update({"kid": "test-key", "alg": "RS256", "use": "sig"})


def token(claims):
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "test-key"})


class JsonHandler(BaseHTTPRequestHandler):
    def _reply(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass
