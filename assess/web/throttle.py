"""How long a sign-in must wait: a delay that grows with recent failures, rather than a lock.

Pure; no Flask, no database. Failures for an email address beyond the free ones each add a
delay after the last failure, so a colleague's (or an attacker's) wrong guesses slow the real
user by seconds, not a quarter of an hour; one client address failing too often, whatever the
emails, is refused until its failures leave the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    free: int  # failures for one email address before any wait
    delay_seconds: float  # each failure beyond them adds this much wait
    per_address: int  # failures from one client address before it is refused
    window: timedelta  # failures older than this do not count


def wait_before_sign_in(
    email_failures: list[datetime], address_failures: list[datetime], now: datetime,
    policy: ThrottlePolicy,
) -> float:  # fmt: skip
    """Seconds to wait before this attempt may be checked (0: check it now). Failures are
    those within the window, in any order."""
    if len(address_failures) >= policy.per_address:
        oldest = sorted(address_failures)[len(address_failures) - policy.per_address]
        return max(0.0, (oldest + policy.window - now).total_seconds())
    beyond = len(email_failures) - policy.free + 1
    if beyond <= 0:
        return 0.0
    wait = min(policy.window.total_seconds(), policy.delay_seconds * beyond)
    return max(0.0, (max(email_failures) - now).total_seconds() + wait)


def in_words(seconds: float) -> str:
    """'2 seconds', '1 minute', '15 minutes': a wait as the sign-in page says it."""
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return f"{whole} second{'' if whole == 1 else 's'}"
    minutes = math.ceil(whole / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
