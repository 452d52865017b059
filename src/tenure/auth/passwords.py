"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import logging

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

log = logging.getLogger(__name__)

MIN_LENGTH = 10
# Hashing is deliberately slow; an upper bound keeps one request from hashing a
# megabyte of text.
MAX_LENGTH = 1024

_hasher = PasswordHasher()


class PasswordPolicyError(ValueError):
    """A new password that the policy rejects; the message says why."""


def hash_password(plain: str) -> str:
    """Return the argon2id hash of ``plain`` (salted, in PHC string format)."""
    return _hasher.hash(plain)


def verify_password(hashed: str, plain: str) -> bool:
    """Tell whether ``plain`` matches ``hashed``; a malformed hash never matches."""
    try:
        return _hasher.verify(hashed, plain)
    except VerificationError:
        return False
    except InvalidHashError:
        log.warning("a stored password hash is not a valid argon2 hash")
        return False


def needs_rehash(hashed: str) -> bool:
    """Tell whether ``hashed`` was made with other parameters than today's."""
    try:
        return _hasher.check_needs_rehash(hashed)
    except InvalidHashError:
        return True


def check_password_policy(plain: str) -> None:
    """Raise PasswordPolicyError unless ``plain`` is acceptable as a new password."""
    if len(plain) < MIN_LENGTH:
        raise PasswordPolicyError(
            f"the password must be at least {MIN_LENGTH} characters long"
        )
    if len(plain) > MAX_LENGTH:
        raise PasswordPolicyError(
            f"the password must be at most {MAX_LENGTH} characters long"
        )
    if len(set(plain)) == 1:
        raise PasswordPolicyError(
            "the password must not repeat one character over and over"
        )
