"""loopsafe: find the blocking calls that stall your asyncio event loop.

The package holds the `loopsafe` command (a Rust binary installed beside Python's own
scripts); `python -m loopsafe` runs it too.
"""
