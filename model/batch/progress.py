"""Progress of a batch job on stderr: rows, share done, rate, errors and time left.

On a terminal one line is redrawn about twice a second; in a log (stderr not a terminal)
a line is written every 30 seconds.
"""

from __future__ import annotations

import sys
import time

from model.batch.readers import Position, Source
from model.batch.rows import Row


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """Prints the state of a job now and then; ``update`` after every chunk."""

    def __init__(self, source: Source, start: Position, *, enabled: bool = True):
        self.enabled = enabled
        self.stream = sys.stderr
        self.tty = self.stream.isatty()
        self.interval = 0.5 if self.tty else 30.0
        self.total = source.total_rows() if enabled else None
        self.size = source.size() if enabled else 0
        self.start_rows = start.rows
        self.t0 = self.last = time.perf_counter()
        # (share done, time) when this run started, for the time left; a resumed gzip or
        # CSV input learns it from its first chunk.
        self.base: tuple[float, float] | None = None
        if start.rows == 0:
            self.base = (0.0, self.t0)
        elif self.total:
            self.base = (start.rows / self.total, self.t0)
        elif start.pos is not None and self.size:
            self.base = (start.pos / self.size, self.t0)
        self.drawn = False

    def fraction(self, rows: int, last: Row) -> float | None:
        if self.total:
            return rows / self.total
        if last.pos is not None and self.size:
            return min(1.0, last.pos / self.size)
        return None

    def update(self, rows: int, errors: int, last: Row) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        fraction = self.fraction(rows, last)
        if self.base is None and fraction is not None:
            self.base = (fraction, now)
        if now - self.last < self.interval:
            return
        self.last = now
        elapsed = now - self.t0
        rate = (rows - self.start_rows) / elapsed if elapsed else 0.0
        parts = [f"{rows:,} rows"]
        if fraction is not None:
            parts.append(f"{100 * fraction:.1f}%")
        parts += [f"{rate:,.0f} rows/s", f"{errors:,} errors"]
        if fraction is not None and self.base and fraction > self.base[0]:
            left = (now - self.base[1]) * (1 - fraction) / (fraction - self.base[0])
            parts.append(f"{_clock(left)} left")
        line = " | ".join(parts)
        if self.tty:
            self.stream.write("\r" + line.ljust(70))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.enabled and self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
