"""The password rule of page accounts (issue 19.9): at least 12 characters, not a common password and not
the username. Passwords stay hashed with scrypt (stagepool_shared.web.accounts). No Flask, no Redis.
"""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 12

#: Passwords of 12 or more characters that lead the public breach lists (lower case), plus Dutch and
#: Stagepool-flavoured ones an attacker tries first.
COMMON_PASSWORDS = frozenset({
    "123456789012", "1234567890123", "12345678910", "123456789123", "qwertyuiop12", "qwertyuiopas",
    "qwerty123456", "password1234", "password12345", "passwordpassword", "iloveyou1234", "111111111111",
    "000000000000", "123123123123", "abcdefghijkl", "abc123456789", "1q2w3e4r5t6y", "1qaz2wsx3edc",
    "zaq12wsxcde3", "welcome12345", "letmein12345", "administrator", "adminadmin123", "changemeplease",
    "change-me-in-production", "trustno1trustno1", "football1234",
    "baseball1234", "sunshine1234", "princess1234", "monkey123456", "dragon123456", "superman1234",
    "wachtwoord12", "wachtwoord123", "wachtwoord1234", "welkom123456", "welkomwelkom", "geheim123456",
    "stagepool123", "stagepool1234", "stagepool2026", "stagepool2027", "internship123", "stage12345678",
})


class WeakPassword(ValueError):
    """The password breaks the rule; the message says how, in English (shown to the one creating accounts)."""


def check_password_rule(username: str, password: str) -> None:
    """Raise WeakPassword when `password` is shorter than 12, a common password, or the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    folded = password.strip().lower()
    if folded in COMMON_PASSWORDS or folded.replace(" ", "") in COMMON_PASSWORDS:
        raise WeakPassword("this password is on the list of common passwords; choose another")
    if folded == username.strip().lower():
        raise WeakPassword("the password may not be the username")
