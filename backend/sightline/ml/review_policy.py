"""A classifier's review policy (issue #32): which production answers are kept for a
person to label, for how long, and whether enough new labels start a retrain.

Stored as JSON on the classifier's row (``classifiers.review``); a classifier without
one has review off: nothing is kept, no image of a user stays on the server.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

AUDIT_SALT = "sightline-audit"


class ReviewPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keep_uncertain: bool = Field(
        default=False, description="Keep every answer the model flags uncertain"
    )
    audit_rate: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Share of all answers kept as a random audit sample (0.01 = 1%); "
        "their labels give the live-accuracy estimate",
    )
    retention_days: float = Field(
        default=30.0, gt=0, le=3650, description="Kept items older than this are deleted"
    )
    max_items: int = Field(
        default=10_000,
        ge=1,
        le=10_000_000,
        description="At most this many kept items; the oldest go",
    )
    auto_retrain_after: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="Queue a retrain once this many new labels are in (null: never)",
    )

    @property
    def enabled(self) -> bool:
        """Whether anything is kept (feedback too needs review on)."""
        return self.keep_uncertain or self.audit_rate > 0

    @classmethod
    def stored(cls, value: dict[str, Any] | None) -> ReviewPolicy:
        """The policy a classifier's row holds (off when it holds none)."""
        return cls.model_validate(value or {})


class ReviewPolicyPatch(BaseModel):
    """A change to a policy: the fields sent replace those stored, the rest stay."""

    model_config = ConfigDict(extra="forbid")

    keep_uncertain: bool | None = None
    audit_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    retention_days: float | None = Field(default=None, gt=0, le=3650)
    max_items: int | None = Field(default=None, ge=1, le=10_000_000)
    auto_retrain_after: int | None = Field(default=None, ge=1, le=1_000_000)

    def applied_to(self, policy: ReviewPolicy) -> ReviewPolicy:
        changes = self.model_dump(exclude_unset=True)
        for name in ("keep_uncertain", "audit_rate", "retention_days", "max_items"):
            if name in changes and changes[name] is None:
                del changes[name]  # null means "as it is" except where null is a value
        return ReviewPolicy.model_validate({**policy.model_dump(), **changes})


def in_audit_sample(prediction_id: str, rate: float) -> bool:
    """Whether an answer belongs to the audit sample: decided by a hash of its id, so
    the sample is random with respect to the answer and the same on every replica and
    every retry."""
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"{AUDIT_SALT}:{prediction_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate
