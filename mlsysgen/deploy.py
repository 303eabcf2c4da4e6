"""``deploy --github-pages``: make the built site ready for GitHub Pages.

Steps: build first when the output folder holds no site (or when asked) → write
``.nojekyll`` → write ``CNAME`` from ``site.cname`` (or remove a stale one) → check that
``404.html`` is there and links from the path Pages will serve the site at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from .build import BuildOptions, build, summary
from .config.load import Project, load_project
from .config.yamlio import load_yaml_file
from .errors import ConfigError, Location, MlsysgenError

# A host name: dot-separated labels of letters, digits and inner hyphens.
_HOST = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))+", re.I)
_BODY_ROOT = re.compile(r'<body\b[^>]*?\sdata-root="([^"]*)"')


@dataclass
class DeployOptions:
    """What the user asked for on the command line."""

    out: Path | None = None
    """The built site (default: the config's output folder)."""
    build: bool = False
    """Build even when the output folder already holds a site."""
    formats: list[str] = field(default_factory=list)
    """Formats to build (default: the config's)."""
    stream: TextIO | None = None
    """Where the steps are reported (None: silent)."""


def deploy_github_pages(root: Path, options: DeployOptions) -> Path:
    """Prepare the site of the book in ``root`` for GitHub Pages; returns the site folder."""
    project = load_project(root)
    out = (options.out or project.root / project.config.output_dir).resolve()
    shown = project.display(out)
    reason = _build_reason(options, out)
    if reason:
        _say(options, f"building {shown} ({reason})")
        result = build(
            project.root, BuildOptions(formats=options.formats, out=out, stream=options.stream)
        )
        _say(options, f"built {shown}: {summary(result)}")
    (out / ".nojekyll").write_bytes(b"")
    _say(options, f"wrote {shown}/.nojekyll (Pages publishes the folder as it is, without Jekyll)")
    _write_cname(project, out, shown, options)
    _check_404(project, out, shown, options)
    _say(
        options,
        f"ready for GitHub Pages: publish {shown} with actions/upload-pages-artifact and actions/deploy-pages",
    )
    return out


def _build_reason(options: DeployOptions, out: Path) -> str:
    if options.build:
        return "--build"
    return "" if (out / "index.html").is_file() else "no site there yet"


def _write_cname(project: Project, out: Path, shown: str, options: DeployOptions) -> None:
    cname = project.config.site.cname.strip()
    if cname and not _HOST.fullmatch(cname):
        raise ConfigError(
            f"{_cname_location(project)}: site.cname '{cname}' is not a host name; "
            "write the bare domain GitHub Pages serves, e.g. book.example.org"
        )
    target = out / "CNAME"
    if cname:
        target.write_text(cname + "\n", encoding="utf-8")
        _say(options, f"wrote {shown}/CNAME ({cname})")
    elif target.exists():
        target.unlink()
        _say(options, f"removed {shown}/CNAME (site.cname is not set)")
    else:
        _say(options, "no CNAME: site.cname is not set (Pages serves the github.io address)")


def _check_404(project: Project, out: Path, shown: str, options: DeployOptions) -> None:
    page = out / "404.html"
    if not page.is_file():
        raise MlsysgenError(
            f"{shown}/404.html is missing, so Pages would show its own error page; rebuild with: "
            f"python -m mlsysgen deploy {project.display(project.root)} --github-pages --build"
        )
    match = _BODY_ROOT.search(page.read_text(encoding="utf-8"))
    root = match.group(1) if match else ""
    _say(options, f"checked {shown}/404.html: present, its links start at '{root}'")
    for warning in _base_path_warnings(project, root):
        _say(options, f"warning: {warning}")


def _base_path_warnings(project: Project, root: str) -> list[str]:
    """404.html is shown at any depth, so its links are absolute: they must start at the
    path Pages serves the site from (``/`` on a custom domain, ``/REPO/`` on a project site)."""
    site = project.config.site
    cname, url = site.cname.strip(), urlsplit(site.url)
    if cname and site.url and (url.hostname != cname or url.path != "/"):
        return [f"site.url is {site.url} but site.cname is {cname}: Pages will serve the site at "
                f"https://{cname}/; make site.url match it"]  # fmt: skip
    expected = "/" if cname else url.path
    if not expected:
        return ["site.url is not set, so 404.html links start at '/': served from a sub-path "
                "(https://USER.github.io/REPO/) that page loses its styles and links; set site.url "
                "to the address GitHub Pages shows"]  # fmt: skip
    if root != expected:
        return [f"404.html links start at '{root}' but the site is served from '{expected}'; "
                "rebuild with --build"]  # fmt: skip
    return []


def _cname_location(project: Project) -> Location:
    cname_file = project.root / "CNAME"
    if project.kind == "quarto" and cname_file.is_file():
        return Location(project.display(cname_file), 1)
    doc = load_yaml_file(project.config_path, project.display(project.config_path))
    return doc.where(("site", "cname"))


def _say(options: DeployOptions, message: str) -> None:
    if options.stream is not None:
        print(message, file=options.stream)


__all__ = ["DeployOptions", "deploy_github_pages"]
