"""Loads loopsafe's stall watchdog, then the `sitecustomize` this one hides, if any."""

import os
import sys

try:
    import loopsafe_watchdog

    loopsafe_watchdog.install()
except Exception:
    pass


def _chain():
    here = os.path.dirname(os.path.abspath(__file__))
    ours = sys.modules.pop("sitecustomize", None)
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    try:
        import sitecustomize  # noqa: F401  (the next one on the path, if any)
    except ImportError as e:
        sys.modules["sitecustomize"] = ours
        if e.name != "sitecustomize":
            raise  # the user's own failed: Python reports it as it would without us
    finally:
        sys.path[:] = saved


_chain()
