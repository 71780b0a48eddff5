"""Ed25519 keys for audit heads: the private key signs, the public key is all a verifier needs.

Heads were HMAC-signed with a shared key, so whoever could verify a head could forge one (issue
#15). With Ed25519 (RFC 8032, through the ``cryptography`` library) the signing key stays with
the writers and the public key can be handed to any auditor.

A key is given as a *reference*: ``env:NAME`` (the variable holds the key) or a file path. The
key itself is PEM (PKCS #8 private key, SubjectPublicKeyInfo public key, as ``cxops audit
keygen`` and ``openssl genpkey -algorithm ed25519`` write them) or the raw 32 bytes in base64.
``CXOPS_AUDIT_SIGNING_KEY`` holds the signing key's reference when no flag gives one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cxops.errors import ConfigError
from cxops.logs import register_secret

__all__ = [
    "SIGNING_KEY_ENV",
    "generate_keys",
    "key_id",
    "load_public_key",
    "load_signing_key",
    "public_pem",
    "signing_key_from_env",
]

SIGNING_KEY_ENV = "CXOPS_AUDIT_SIGNING_KEY"
_HINT = (
    "create a key pair with `cxops audit keygen`, then set "
    f"{SIGNING_KEY_ENV}=/path/audit-key.pem (or env:VARIABLE holding the PEM)"
)


def _material(ref: str, what: str) -> bytes:
    """The bytes a reference points at (an ``env:`` variable or a file)."""
    if ref.startswith("env:"):
        name = ref[4:].strip()
        value = os.environ.get(name)
        if not value:
            raise ConfigError(f"the {what}: environment variable {name} is not set", hint=_HINT)
        return value.encode("utf-8")
    path = Path(ref).expanduser()
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read the {what} {str(path)!r}: {exc.strerror or exc}", hint=_HINT
        ) from None


def _raw(data: bytes) -> bytes | None:
    try:
        raw = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None


def load_signing_key(ref: str) -> Ed25519PrivateKey:
    """The Ed25519 private key a reference names; ConfigError saying what is wrong (never
    quoting the key)."""
    data = _material(ref, "audit signing key")
    for line in data.decode("utf-8", "replace").splitlines():  # never in a log or an error
        if len(line.strip()) >= 16 and "-----" not in line:
            register_secret(line.strip())
    raw = _raw(data)
    try:
        if raw is not None:
            return Ed25519PrivateKey.from_private_bytes(raw)
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(
            f"the audit signing key ({ref.split(':')[0] if ref.startswith('env:') else ref}) "
            "is not an unencrypted Ed25519 private key",
            hint=_HINT,
        )
    return key


def load_public_key(ref: str) -> Ed25519PublicKey:
    """The Ed25519 public key a reference names (a private key is accepted too)."""
    data = _material(ref, "audit public key")
    raw = _raw(data)
    try:
        if raw is not None:
            return Ed25519PublicKey.from_public_bytes(raw)
        if b"PRIVATE KEY" in data:
            return load_signing_key(ref).public_key()
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(
            f"{ref} is not an Ed25519 public key",
            hint="give the public key `cxops audit keygen` wrote (PEM) or its raw base64",
        )
    return key


def signing_key_from_env() -> Ed25519PrivateKey | None:
    """The signing key ``CXOPS_AUDIT_SIGNING_KEY`` refers to, or None when it is unset."""
    ref = os.environ.get(SIGNING_KEY_ENV)
    return load_signing_key(ref) if ref else None


def public_pem(key: Ed25519PublicKey) -> bytes:
    """The public key as PEM (SubjectPublicKeyInfo)."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(key: Ed25519PublicKey) -> str:
    """A short fingerprint of a public key (SHA-256 of its raw bytes), to tell keys apart."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_keys() -> tuple[bytes, bytes]:
    """A new key pair as (private PEM, public PEM)."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, public_pem(private.public_key())
