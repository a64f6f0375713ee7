"""The adapters: Autotask, TD SYNNEX and the store, behind the ports.

What the two HTTP clients share lives here: the ``RetryPolicy`` built once from ``[retry]`` and
the ``RequestStats`` each client reports.
"""

from ._retry import RequestStats, RetryPolicy

__all__ = ["RequestStats", "RetryPolicy"]
