"""Page accounts refuse weak passwords (issue 19.9): too short, common, or the username; scrypt stays."""

from __future__ import annotations

import pytest

from stagepool_shared.auth import Principal
from stagepool_shared.web.accounts import Accounts
from stagepool_shared.web.passwords import WeakPassword
from tests.fakes import FakeKeyValue

WHO = Principal("u-1", "school_staff", "sch-a", "reg-1")


@pytest.mark.parametrize("password", ["", "x", "elevenchars", "Password123", "wachtwoord123", "Welkom123456",
                                      "bpv-coordinator"])
def test_a_short_common_or_username_password_is_refused(password: str) -> None:
    accounts = Accounts(FakeKeyValue())  # type: ignore[arg-type]
    with pytest.raises(WeakPassword):
        accounts.create_user("bpv-coordinator", password, WHO)
    assert accounts.check_password("bpv-coordinator", password) is None


def test_a_long_uncommon_password_is_accepted_and_stored_as_an_scrypt_hash() -> None:
    client = FakeKeyValue()
    accounts = Accounts(client)  # type: ignore[arg-type]
    accounts.create_user("bpv1", "tulpen-fiets-gracht-42", WHO)
    assert accounts.check_password("bpv1", "tulpen-fiets-gracht-42") == WHO
    stored = client.data["stagepool:auth:user:bpv1"].decode()
    assert "tulpen" not in stored and '"hash"' in stored and '"salt"' in stored
