"""What the lanes share: whether the run was stopped for every org, and why.

``any_errors_fatal`` and ``max_fail_percentage`` need the lanes to agree, and
lanes run at their own pace. Each lane reports its org's first failure that no
``rescue`` handles and no ``ignore_errors`` hides (and, for
``any_errors_fatal``, a login that failed); the first report that crosses the
line stops the run. From then on no lane starts a step, except the ``always``
steps of the blocks it is in: the steps not started are ``aborted``. Whether a
run stops depends only on how many orgs fail, so not on which lane is faster;
how far the other orgs had got when it stopped does.
"""

from __future__ import annotations

import threading

from runner.run.results import Reason, Why


class Fleet:
    """The stop signal of one run, and the count that may raise it."""

    def __init__(self, targeted: int, *, max_fail_percentage: float | None = None) -> None:
        self.targeted = max(targeted, 1)
        self.max_fail_percentage = max_fail_percentage
        self._failed: set[str] = set()
        self._lock = threading.Lock()
        self._reason: Reason | None = None

    @property
    def reason(self) -> Reason | None:
        """Why the run was stopped for every org; None while it goes on."""
        return self._reason

    def failed(self, org: str, step: str, *, fatal: bool) -> None:
        """An org failed a step (``fatal``: the step has ``any_errors_fatal``)."""
        with self._lock:
            self._failed.add(org)
            if self._reason is not None:
                return
            if fatal:
                self._reason = Reason(Why.ABORTED, org, step)
            elif self._too_many():
                limit = f"{self.max_fail_percentage:g}"
                self._reason = Reason(Why.TOO_MANY_FAILED,
                                      f"{len(self._failed)}/{self.targeted}", limit)

    def unreachable(self, org: str, *, fatal: bool) -> None:
        """An org could not log in: it stops the run only under ``any_errors_fatal``."""
        with self._lock:
            if fatal and self._reason is None:
                self._reason = Reason(Why.ABORTED, org, "log in")

    def _too_many(self) -> bool:
        limit = self.max_fail_percentage
        return limit is not None and len(self._failed) * 100 > limit * self.targeted
