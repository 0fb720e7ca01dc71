"""Encryption at rest of desk report content (Fernet: AES-128-CBC + HMAC-SHA256, with a timestamp).

The key comes from Settings (REPORTING_DESK_KEY) and is held by reporting only. Imports cryptography and the
standard library only.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken


class ContentCipher:
    """Encrypts a JSON-able value to an opaque token and back."""

    def __init__(self, key: bytes):
        self._fernet = Fernet(key)

    def seal(self, value: Any) -> bytes:
        return self._fernet.encrypt(json.dumps(value, ensure_ascii=False).encode())

    def open(self, token: bytes) -> Any:
        """The value; ValueError when the token was altered or made with another key."""
        try:
            return json.loads(self._fernet.decrypt(token))
        except InvalidToken:
            raise ValueError("desk content cannot be decrypted with this key") from None
