"""Personal sign-in links for students, put in their outcome message: a link token in the platform's
identity store (shared web layer's Accounts) that signs the student in on the notifier's pages.
Imports the shared auth and web accounts (Redis underneath)."""

from __future__ import annotations

from stagepool_shared.auth import Principal
from stagepool_shared.web.accounts import Accounts


class PersonalLinks:
    """Creates `{base_url}/s/<token>` for a student, valid for `ttl_s` seconds."""

    def __init__(self, accounts: Accounts, base_url: str, ttl_s: int = 60 * 24 * 3600):
        self.accounts = accounts
        self.base_url = base_url.rstrip("/")
        self.ttl_s = ttl_s

    def for_student(self, student_ref: str, region_id: str) -> str:
        principal = Principal(user_id=student_ref, role="student", scope=student_ref, region_id=region_id)
        return f"{self.base_url}/s/{self.accounts.create_link(principal, ttl_s=self.ttl_s)}"
