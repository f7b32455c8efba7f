"""In-process CLI for the reliability suite: `pykubectl.cli.main.run` with the environment pointed
at a private copy of the lab (as tests/conftest.py's `kube`), stdio captured, and a fingerprint of
the store so a refused input can be shown to have changed nothing."""
from __future__ import annotations

import io
import os
import shutil
import sqlite3
import sys

import pytest

from tests.conftest import Result


class InProc:
    def __init__(self, home: str, monkeypatch, capsys):
        self.home, self._mp, self._capsys = home, monkeypatch, capsys
        self.db = os.path.join(home, "data", "clusters", "kubernetes", "state.db")
        monkeypatch.setenv("PYKUBECTL_HOME", os.path.join(home, "data"))
        monkeypatch.setenv("KUBECONFIG", os.path.join(home, "kubeconfig"))
        monkeypatch.setenv("HOME", home)

    def __call__(self, *args: str, input: str | None = None) -> Result:
        from pykubectl.cli.main import run
        self._capsys.readouterr()
        self._mp.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((input or "").encode())))
        try:
            code = run(list(args))
        except SystemExit as e:       # must not happen, but report it as an exit code
            code = e.code if isinstance(e.code, int) else 1
        cap = self._capsys.readouterr()
        return Result(code, cap.out, cap.err)

    def fingerprint(self) -> tuple:
        """(highest revision, number of objects): any accepted write moves the first."""
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            rev = con.execute("SELECT max(rev) FROM changes").fetchone()[0]
            orev, n = con.execute("SELECT max(rev), count(*) FROM objects").fetchone()
            return max(rev or 0, orev or 0), n
        finally:
            con.close()


@pytest.fixture
def cli(tmp_path, lab_template, monkeypatch, capsys) -> InProc:
    home = str(tmp_path / "home")
    shutil.copytree(lab_template, home)
    return InProc(home, monkeypatch, capsys)
