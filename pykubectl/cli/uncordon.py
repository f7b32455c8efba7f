"""kubectl uncordon: mark nodes schedulable again (see cordon.py)."""
from __future__ import annotations

from pykubectl.cli import cordon as _cordon

USAGE = "kubectl uncordon NODE [options]"
LONG = "Mark node as schedulable."
EXAMPLES = """  # Mark node "foo" as schedulable
  kubectl uncordon foo
"""
FLAGS = _cordon.FLAGS


def run(g, o, args):
    """Mark node as schedulable."""
    _cordon.run_cordon(g, o, args, False, "uncordon")
