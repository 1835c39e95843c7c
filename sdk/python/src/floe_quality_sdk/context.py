"""What every plugin handler receives besides its request."""

import logging
import threading
import time
from collections.abc import Callable

from opentelemetry.context import Context

from .errors import FloeError


class CallContext:
    """One call's cancellation signal, deadline, logger and trace context.

    The signal fires shortly before the call's deadline (reason FLOE-DQ106),
    when the host cancels the call, or when the plugin shuts down (FLOE-DQ001).
    Long work polls ``cancelled()`` / ``raise_if_cancelled()`` or registers
    ``on_cancel`` to interrupt a blocking call (e.g. cancel a database query).
    """

    def __init__(
        self,
        log: logging.Logger | logging.LoggerAdapter,
        deadline: float | None,
        trace_context: Context,
    ) -> None:
        self.log = log
        # Wall-clock seconds since the epoch (time.time()), or None without a deadline.
        self.deadline = deadline
        self.trace_context = trace_context
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[FloeError | None], None]] = []
        self.cancel_reason: FloeError | None = None

    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait_cancelled(self, timeout: float | None = None) -> bool:
        """Blocks until the call is cancelled or `timeout` seconds pass; True when cancelled."""
        return self._event.wait(timeout)

    def time_remaining(self) -> float | None:
        """Seconds until the call's deadline, or None without a deadline."""
        return None if self.deadline is None else max(0.0, self.deadline - time.time())

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise self.cancel_reason or FloeError("FLOE-DQ001", "the call was cancelled")

    def on_cancel(self, callback: Callable[[FloeError | None], None]) -> None:
        """Runs `callback(reason)` once when the call is cancelled (at once if it already is)."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        callback(self.cancel_reason)

    def cancel(self, reason: FloeError | None) -> bool:
        """Fires the signal; False when it had already fired."""
        with self._lock:
            if self._event.is_set():
                return False
            self.cancel_reason = reason
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback(reason)
            except Exception:
                self.log.error("cancellation callback failed", exc_info=True)
        return True
