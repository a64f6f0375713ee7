"""Pieces both benchmark scripts share: child processes, memory figures and plain-text tables.

A benchmark reruns its own script in a child role (a server under load, or a fresh process to
measure), so the work being measured does not share a process with the load generator.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

__all__ = [
    "child_process",
    "peak_rss_kb",
    "print_table",
    "rss_now_kb",
    "run_child",
    "serve_until_closed",
    "vm_hwm_kb",
]


@contextmanager
def child_process(script: str, *args: str, stop_timeout: float = 30.0) -> Iterator[str]:
    """Run ``script`` with ``args`` in a child; yields the first line it prints (its address).

    The child runs until its stdin closes, which happens when the block ends.
    """
    command = [sys.executable, os.path.abspath(script), *args]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        if not line:
            raise RuntimeError(f"the child process {args} did not start (exit {child.poll()})")
        yield line
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def serve_until_closed(ready: str) -> None:
    """Child side of ``child_process``: announce ``ready``, then wait for stdin to close."""
    print(ready, flush=True)
    sys.stdin.read()


def run_child(script: str, *args: str) -> str:
    """Run ``script`` in a child to completion; returns the last line it printed."""
    command = [sys.executable, os.path.abspath(script), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def rss_now_kb() -> int | None:
    """Current resident set size, where /proc tells it (Linux)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return None


def vm_hwm_kb(pid: int | str = "self") -> int | None:
    """A process's peak resident set size (``VmHWM`` in /proc), None where /proc does not tell
    (not Linux, or the process is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_rss_kb() -> int:
    """This process's peak resident set size so far: ``VmHWM`` on Linux, else ``ru_maxrss``.

    (``ru_maxrss`` survives ``exec``: a benchmark started by a larger process would report that
    process's peak. ``VmHWM`` belongs to this program's own memory.)
    """
    own = vm_hwm_kb()
    if own is not None:
        return own
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def print_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], details: Sequence[str] | None = None
) -> None:
    """Rows in left-aligned columns under a ruled header; ``details`` go indented under each."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)).rstrip()

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for index, row in enumerate(rows):
        print(line(row))
        if details is not None:
            print(f"    {details[index]}")
