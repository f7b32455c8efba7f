"""The wheel ships every package: setup.cfg lists packages explicitly (state/ is mapped to
pykubectl.state), so a new package missing from the list would break a wheel install."""
import configparser
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_every_package_is_listed_in_setup_cfg():
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(ROOT, "setup.cfg"))
    listed = {p.strip() for p in cfg["options"]["packages"].split() if p.strip()}
    found = {"pykubectl.state"}
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, "pykubectl")):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        if "__init__.py" in filenames:
            rel = os.path.relpath(dirpath, ROOT).replace(os.sep, ".")
            found.add(rel)
    assert listed == found


def test_blueprints_are_package_data():
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(ROOT, "setup.cfg"))
    assert "*.yaml" in cfg["options.package_data"]["pykubectl.state"]
    assert os.listdir(os.path.join(ROOT, "state", "lab"))
