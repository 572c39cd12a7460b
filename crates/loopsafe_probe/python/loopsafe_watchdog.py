"""loopsafe's stall watchdog, loaded into a service that `loopsafe probe --serve` starts.

It finds the event loop when it starts running (asyncio's or uvloop's), sends it a
heartbeat every few milliseconds from a thread of its own, and when a heartbeat is late
by more than the threshold, samples the loop thread's stack every millisecond until the
loop answers. Each stall is one JSON line in the file `LOOPSAFE_WATCHDOG_OUT` names.

Standard library only; it prints nothing and changes nothing the service does. Anything
that goes wrong here turns the watchdog off, never the service.
"""

import json
import os
import sys
import threading
import time

_OUT = os.environ.get("LOOPSAFE_WATCHDOG_OUT")
_THRESHOLD = float(os.environ.get("LOOPSAFE_STALL_THRESHOLD_MS", "10")) / 1000.0
# A heartbeat costs the loop one wake-up: every 5 ms is cheap, and finds a stall
# within the threshold plus 5 ms.
_INTERVAL = 0.005
_SAMPLE_EVERY = 0.001
_MAX_DEPTH = 64
# A stall longer than this keeps only its first samples: enough to name the site.
_MAX_SAMPLES = 2000

_watched = set()
_lock = threading.Lock()


def install():
    if not _OUT:
        return
    import asyncio.events

    original = asyncio.events._set_running_loop

    def _set_running_loop(loop):
        original(loop)
        if loop is not None:
            _watch(loop)

    # asyncio's run_forever looks the name up in asyncio.events at each call; uvloop
    # keeps `asyncio._set_running_loop` from when it is imported, which is after this.
    asyncio.events._set_running_loop = _set_running_loop
    asyncio._set_running_loop = _set_running_loop
    _write({"kind": "start", "pid": os.getpid(), "cwd": os.getcwd()})


def _watch(loop):
    with _lock:
        if id(loop) in _watched:
            return
        _watched.add(id(loop))
    thread_id = threading.get_ident()
    watcher = threading.Thread(
        target=_run, args=(loop, thread_id), name="loopsafe-watchdog", daemon=True
    )
    watcher.start()


def _run(loop, thread_id):
    try:
        while not loop.is_closed():
            if not loop.is_running():
                # Between two run_until_complete calls: whatever runs is not the loop.
                time.sleep(_INTERVAL)
                continue
            beat = threading.Event()
            sent = time.monotonic()
            try:
                loop.call_soon_threadsafe(beat.set)
            except RuntimeError:
                break  # the loop was closed in between
            if not beat.wait(_THRESHOLD):
                _sample(loop, beat, sent, thread_id)
            time.sleep(_INTERVAL)
    except Exception:
        pass
    finally:
        with _lock:
            _watched.discard(id(loop))


def _cpu_clock(thread_id):
    try:
        return time.pthread_getcpuclockid(thread_id)
    except (AttributeError, OSError):
        return None


def _cpu_seconds(clock):
    try:
        return time.clock_gettime(clock) if clock is not None else 0.0
    except OSError:
        return 0.0


def _sample(loop, beat, sent, thread_id):
    samples = []
    last = None
    # How much CPU the loop thread used while it was sampled: a loop thread that waited
    # for the CPU or the interpreter lock (held by other threads) used next to none,
    # one that ran code on the loop used it all, one blocked in a call none either,
    # but then it let this thread sample every millisecond.
    clock = _cpu_clock(thread_id)
    cpu_start, sampling_start = _cpu_seconds(clock), time.monotonic()
    while not beat.is_set():
        if not loop.is_running():
            # The loop stopped: the stall ended with it (run_until_complete returns
            # before a heartbeat scheduled late in its run is called).
            break
        frame = sys._current_frames().get(thread_id)
        if frame is None:
            return
        stack = _stack(frame)
        del frame
        if len(samples) < _MAX_SAMPLES:
            if last is not None and last[0] == stack:
                last[1] += 1
            else:
                last = [stack, 1]
                samples.append(last)
        beat.wait(_SAMPLE_EVERY)
    if not samples:
        return
    now = time.monotonic()
    took = now - sent
    cpu = _cpu_seconds(clock) - cpu_start if clock is not None else None
    _write(
        {
            "kind": "stall",
            "pid": os.getpid(),
            "at": sent,
            "ms": round(took * 1000.0, 2),
            "sampled_ms": round((now - sampling_start) * 1000.0, 2),
            "cpu_ms": round(cpu * 1000.0, 2) if cpu is not None else None,
            "samples": [{"stack": s, "n": n} for s, n in samples],
        }
    )


def _stack(frame):
    """The innermost frame first: [filename, line, function]."""
    out = []
    while frame is not None and len(out) < _MAX_DEPTH:
        code = frame.f_code
        name = getattr(code, "co_qualname", code.co_name)
        out.append([code.co_filename, frame.f_lineno or 0, name])
        frame = frame.f_back
    return out


def _write(record):
    line = json.dumps(record, separators=(",", ":")) + "\n"
    # One write per record, appended: several worker processes can share the file.
    fd = os.open(_OUT, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
