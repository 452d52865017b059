"""Password hashing with argon2id and the password policy."""

from __future__ import annotations

import pytest

from tenure.auth.passwords import (
    PasswordPolicyError,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)


def test_hash_is_salted_argon2id_and_verifies() -> None:
    first = hash_password("correct horse battery")
    assert first.startswith("$argon2id$")
    assert "correct horse battery" not in first
    assert verify_password(first, "correct horse battery")
    assert not verify_password(first, "correct horse batterY")
    assert not needs_rehash(first)


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password("correct horse battery") != hash_password(
        "correct horse battery"
    )


@pytest.mark.parametrize("stored", ["", "plain text", "$2b$12$bcrypt-looking-hash"])
def test_a_malformed_hash_never_matches(stored: str) -> None:
    assert not verify_password(stored, "plain text")


@pytest.mark.parametrize(
    ("plain", "reason"),
    [
        ("", "at least 10 characters"),
        ("abcdefghi", "at least 10 characters"),
        ("aaaaaaaaaaaaaaaa", "repeat one character"),
        ("          ", "repeat one character"),
        ("x" * 1024 + "y", "at most 1024 characters"),
    ],
)
def test_policy_rejects_with_a_reason(plain: str, reason: str) -> None:
    with pytest.raises(PasswordPolicyError, match=reason):
        check_password_policy(plain)


@pytest.mark.parametrize(
    "plain", ["abcdefghij", "aaaaaaaaab", "пароль-надёжный", "密码密码密码密码密码!"]
)
def test_policy_accepts(plain: str) -> None:
    check_password_policy(plain)


def test_policy_error_is_a_value_error() -> None:
    assert issubclass(PasswordPolicyError, ValueError)
