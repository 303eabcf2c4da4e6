"""``deploy --github-pages`` and the Pages workflow: what is written, said, and published."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from mlsysgen.__main__ import main
from mlsysgen.config.load import load_project

from .helpers import write_book

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
CHAPTER = {"ch.md": "# One\n\nText.\n"}
NO_SITE_URL = (
    "warning: site.url is not set, so 404.html links start at '/': served from a sub-path "
    "(https://USER.github.io/REPO/) that page loses its styles and links; set site.url to "
    "the address GitHub Pages shows"
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def deploy(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["deploy", *args])
    err = capsys.readouterr().err
    return code, re.sub(r", \d+\.\d\d s$", ", T s", err, flags=re.M).splitlines()


def test_builds_when_there_is_no_site_then_prepares_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(tmp_path / "b", CHAPTER)
    code, lines = deploy(capsys, "b", "--github-pages")
    assert code == 0
    assert lines[0] == "building b/_site (no site there yet)"
    built = lines.index("built b/_site: 1 pages, 0 warnings, 0 errors, T s")  # after its progress
    assert lines[built + 1 :] == [
        "wrote b/_site/.nojekyll (Pages publishes the folder as it is, without Jekyll)",
        "no CNAME: site.cname is not set (Pages serves the github.io address)",
        "checked b/_site/404.html: present, its links start at '/'",
        NO_SITE_URL,
        "ready for GitHub Pages: publish b/_site with actions/upload-pages-artifact and actions/deploy-pages",
    ]
    assert (tmp_path / "b/_site/.nojekyll").read_bytes() == b""
    assert not (tmp_path / "b/_site/CNAME").exists()


def test_writes_cname_from_the_config_and_keeps_an_existing_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = {"cname": "book.example.org"}
    write_book(tmp_path / "b", CHAPTER, {"site-url": "https://book.example.org/", "site": site})
    assert main(["build", "b"]) == 0
    capsys.readouterr()
    code, lines = deploy(capsys, "b", "--github-pages")
    assert code == 0
    assert lines == [
        "wrote b/_site/.nojekyll (Pages publishes the folder as it is, without Jekyll)",
        "wrote b/_site/CNAME (book.example.org)",
        "checked b/_site/404.html: present, its links start at '/'",
        "ready for GitHub Pages: publish b/_site with actions/upload-pages-artifact and actions/deploy-pages",
    ]
    assert (tmp_path / "b/_site/CNAME").read_text() == "book.example.org\n"


def test_build_flag_rebuilds_and_a_stale_cname_is_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(tmp_path / "b", CHAPTER, {"site-url": "https://user.github.io/repo/"})
    out = tmp_path / "pages"
    assert main(["deploy", "b", "--github-pages", "--out", str(out)]) == 0
    (out / "CNAME").write_text("old.example.org\n")
    capsys.readouterr()
    code, lines = deploy(capsys, "b", "--github-pages", "--out", str(out))
    assert code == 0
    assert lines[1:3] == [
        "removed pages/CNAME (site.cname is not set)",
        "checked pages/404.html: present, its links start at '/repo/'",
    ]
    code, lines = deploy(capsys, "b", "--github-pages", "--out", str(out), "--build")
    assert lines[0] == "building pages (--build)"
    assert code == 0


def test_a_cname_that_is_not_a_host_name_is_an_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = "title: T\nchapters: [ch.md]\nsite:\n  cname: https://book.example.org/\n"
    write_book(tmp_path / "b", {**CHAPTER, "book.yml": config})
    assert main(["build", "b"]) == 0
    capsys.readouterr()
    assert main(["deploy", "b", "--github-pages"]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "error: b/book.yml:4: site.cname 'https://book.example.org/' is not a host name; "
        "write the bare domain GitHub Pages serves, e.g. book.example.org"
    )


def test_warns_when_site_url_and_cname_disagree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = {"site-url": "https://user.github.io/repo/", "site": {"cname": "book.example.org"}}
    write_book(tmp_path / "b", CHAPTER, config)
    code, lines = deploy(capsys, "b", "--github-pages")
    assert code == 0
    assert lines[-2] == (
        "warning: site.url is https://user.github.io/repo/ but site.cname is book.example.org: "
        "Pages will serve the site at https://book.example.org/; make site.url match it"
    )


def test_warns_when_404_was_built_for_another_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_book(tmp_path / "b", CHAPTER, {"site-url": "https://user.github.io/old/"})
    assert main(["build", "b"]) == 0
    config = (root / "book.yml").read_text().replace("/old/", "/new/")
    (root / "book.yml").write_text(config)
    capsys.readouterr()
    code, lines = deploy(capsys, "b", "--github-pages")
    assert code == 0
    assert lines[-2] == (
        "warning: 404.html links start at '/old/' but the site is served from '/new/'; "
        "rebuild with --build"
    )


def test_a_missing_404_page_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_book(tmp_path / "b", CHAPTER)
    assert main(["build", "b"]) == 0
    (tmp_path / "b/_site/404.html").unlink()
    capsys.readouterr()
    assert main(["deploy", "b", "--github-pages"]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "error: b/_site/404.html is missing, so Pages would show its own error page; "
        "rebuild with: python -m mlsysgen deploy b --github-pages --build"
    )


def test_github_pages_flag_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["deploy", "b"])
    assert exc.value.code == 2
    assert "the following arguments are required: --github-pages" in capsys.readouterr().err


def test_a_quarto_project_takes_its_cname_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "q"
    root.mkdir()
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Q\n  chapters: [index.qmd]\n"
    )
    (root / "index.qmd").write_text("# Q\n\nHello.\n")
    (root / "CNAME").write_text("q.example.org\n")
    assert load_project(root).config.site.cname == "q.example.org"
    code, lines = deploy(capsys, "q", "--github-pages")
    assert code == 0
    assert "wrote q/_site/CNAME (q.example.org)" in lines
    assert (root / "_site" / "CNAME").read_text() == "q.example.org\n"


# --- .github/workflows/pages.yml ---------------------------------------------------------


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the bare key `on` as true
    return data


def uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_workflow_builds_and_deploys_with_the_official_actions() -> None:
    data = workflow()
    assert set(data["on"]) == {"push", "workflow_dispatch"}
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert data["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy_job = data["jobs"]["build"], data["jobs"]["deploy"]
    assert uses(build) == [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
    ]
    runs = [step.get("run", "") for step in build["steps"]]
    assert any("libpango-1.0-0" in run and "apt-get install" in run for run in runs)
    assert "make deploy" in runs
    assert deploy_job["needs"] == "build"
    assert deploy_job["environment"] == {
        "name": "github-pages",
        "url": "${{ steps.deployment.outputs.page_url }}",
    }
    assert uses(deploy_job) == ["actions/deploy-pages"]


def _make_out(target: str) -> str:
    """The ``--out`` of the mlsysgen command ``make TARGET`` runs (a dry run)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
    commands = [line for line in done.stdout.splitlines() if "-m mlsysgen build" in line
                or "-m mlsysgen deploy" in line]  # fmt: skip
    assert len(commands) == 1, done.stdout + done.stderr
    return commands[0].split("--out ")[1].split()[0]


def test_workflow_uploads_the_folder_make_html_writes() -> None:
    upload = next(
        s for s in workflow()["jobs"]["build"]["steps"] if "upload-pages" in s.get("uses", "")
    )
    assert upload["with"]["path"] == _make_out("html") == _make_out("deploy") == "_site"


def test_workflow_sets_the_sample_books_site_url(tmp_path: Path) -> None:
    step = next(s for s in workflow()["jobs"]["build"]["steps"] if "SITE_URL" in s.get("env", {}))
    assert step["env"]["SITE_URL"] == "${{ steps.pages.outputs.base_url }}"
    book = tmp_path / "content"
    book.mkdir()
    shutil.copy(ROOT / "content" / "book.yml", book / "book.yml")
    env = {"SITE_URL": "https://user.github.io/repo", "PATH": "/usr/bin:/bin"}
    subprocess.run(["bash", "-c", step["run"]], cwd=tmp_path, env=env, check=True)
    assert load_project(book).config.site.url == "https://user.github.io/repo/"
