"""The one regression both models are fit with, and the seed every fit starts from."""

from __future__ import annotations

SEED = 7


def logistic_cv(cs: list[float]):
    """An L2 logistic regression whose regularisation the data chooses (5-fold log-loss) among ``cs``, not set here.

    Spelt in scikit-learn 1.9's terms (``l1_ratios``, the new fitted attributes: ``C_`` one number), which 1.10
    makes the only ones: the default ``l1_ratios=None`` is refused there."""
    from sklearn.linear_model import LogisticRegressionCV  # training only: never a run-time dependency

    return LogisticRegressionCV(Cs=cs, l1_ratios=(0.0,), cv=5, scoring="neg_log_loss", max_iter=4000,
                                random_state=SEED, use_legacy_attributes=False)
