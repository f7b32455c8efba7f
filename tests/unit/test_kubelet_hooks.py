"""Lifecycle handlers as the kubelet runs them (`run_hook`): how long each takes and kubelet's
failure message, which lands in a PostStartHookError's waiting message."""
import pytest

from pykubectl.controllers.kubelet import run_hook
from tests.unit.test_runtime import FakeView, make_pod

WHO = 'Container "c" in Pod "p_default(u1)"'


@pytest.mark.parametrize("image,hook,expected", [
    ("nginx", {"exec": {"command": ["sh", "-c", "sleep 5"]}}, (5.0, None)),
    ("nginx", {"exec": {"command": ["nginx", "-s", "quit"]}}, (0.0, None)),
    ("nginx", {"exec": {"command": ["sh", "-c", "echo bye; exit 3"]}},
     (0.0, f"Exec lifecycle hook ([sh -c echo bye; exit 3]) for {WHO} failed - error: command "
           "'sh -c echo bye; exit 3' exited with 3: , message: \"bye\\n\"")),
    ("busybox", {"exec": {"command": ["cat", "/nope"]}},
     (0.0, f"Exec lifecycle hook ([cat /nope]) for {WHO} failed - error: command 'cat /nope' exited with 1: "
           "cat: can't open '/nope': No such file or directory\n, message: "
           "\"cat: can't open '/nope': No such file or directory\\n\"")),
    ("nginx", {"httpGet": {"port": 80, "path": "/drain"}}, (0.0, None)),
    ("nginx", {"httpGet": {"port": 8080, "path": "/drain"}},
     (0.0, f'HTTP lifecycle hook (/drain) for {WHO} failed - error: Get "http://20.0.0.5:8080/drain": '
           "dial tcp 20.0.0.5:8080: connect: connection refused")),
    ("example.com/own", {"httpGet": {"port": 8080, "path": "/drain"}}, (0.0, None)),
    ("nginx", {"sleep": {"seconds": 7}}, (7.0, None)),
], ids=["exec-sleep", "image-tool", "exec-fails", "exec-fails-stderr", "http-ok", "http-refused",
        "http-unknown-image", "sleep-action"])
def test_run_hook(image, hook, expected):
    pod = make_pod(image)
    assert run_hook(FakeView(), pod, pod["spec"]["containers"][0], hook, 3.0) == expected
