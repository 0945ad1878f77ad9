"""Live accuracy: how often production answers are right, from reviewers' labels.

The audit sample is chosen by a hash of the prediction id (ml/review_policy.py), so it
is a simple random sample of the answers and its accuracy an unbiased estimate of the
production accuracy. The interval is Wilson's score interval (95%), through scipy:
it stays inside [0, 1] and keeps its coverage near 0 and 1, where the normal
approximation does not. "None of these" counts as a wrong answer (the image is none
of the classes the model answered with).
"""

from __future__ import annotations

from dataclasses import dataclass

CONFIDENCE_LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    labelled: int
    correct: int
    accuracy: float | None
    low: float | None
    high: float | None

    @property
    def half_width(self) -> float | None:
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2


def estimate(correct: int, labelled: int) -> Estimate:
    """Accuracy and its 95% Wilson interval; no figures without a label."""
    if labelled <= 0:
        return Estimate(0, 0, None, None, None)
    from scipy.stats import binomtest  # imported on use: scipy.stats takes a moment

    interval = binomtest(correct, labelled).proportion_ci(CONFIDENCE_LEVEL, method="wilson")
    return Estimate(
        labelled, correct, correct / labelled, float(interval.low), float(interval.high)
    )
