"""Client keys: a keyed hash instead of an IP, so no raw client IP ever reaches an output.

client_key = HMAC-SHA256(secret, IP prefix (/24 IPv4, /48 IPv6) + UA family), first 16
hex digits. Where a log carries no IP (PyPI's), the key is the HMAC of the user agent.
The secret comes from configuration; if none is given, a random per-installation
secret is created on first use (never a constant in code), so keys are stable across
runs on one installation and meaningless anywhere else.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from pathlib import Path

SECRET_ENV = "REGMETER_CLIENT_KEY_SECRET"
SECRET_FILE_ENV = "REGMETER_CLIENT_KEY_SECRET_FILE"


class SecretError(RuntimeError):
    pass


def default_secret_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "regmeter" / "client_key_secret"


def load_client_key_secret(path: str | os.PathLike | None = None) -> bytes:
    """The client-key secret: explicit file, else $REGMETER_CLIENT_KEY_SECRET, else
    $REGMETER_CLIENT_KEY_SECRET_FILE, else the per-installation file (created if missing)."""
    if path is None and os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV].encode()
    path = path or os.environ.get(SECRET_FILE_ENV)
    if path is not None:
        try:
            secret = Path(path).read_bytes().strip()
        except OSError as exc:
            raise SecretError(f"cannot read client-key secret file {path}: {exc.strerror}") from None
        if len(secret) < 16:
            raise SecretError(f"client-key secret in {path} is too short (need at least 16 bytes)")
        return secret
    default = default_secret_path()
    if not default.exists():
        default.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(default, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return default.read_bytes().strip()


def keyed_hash(secret: bytes, material: str) -> str:
    return hmac.new(secret, material.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:16]


def ip_prefix(ip: str) -> str | None:
    """The network a client IP belongs to: /24 for IPv4, /48 for IPv6; None if not an IP."""
    try:
        addr = ipaddress.ip_address(ip.strip().strip("[]"))
    except ValueError:
        return None
    if addr.version == 6 and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    bits = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{bits}", strict=False))


def ip_key(secret: bytes, ip: str) -> str | None:
    """Keyed hash of the IP's prefix. This is the only form in which an IP leaves parsing."""
    prefix = ip_prefix(ip)
    return None if prefix is None else keyed_hash(secret, "net|" + prefix)
