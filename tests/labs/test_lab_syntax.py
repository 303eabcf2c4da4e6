"""Lab syntax: attributes, regions, sessions, golden blocks, and their error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsysgen.errors import Location
from mlsysgen.parse.attrs import parse_attrs
from mlsysgen.plugins.labs.regions import RegionError, read_region, region_names
from mlsysgen.plugins.labs.spec import (
    LabFolder,
    LabSyntaxError,
    Origin,
    golden_target,
    lab_kind,
    read_lab,
)
from mlsysgen.plugins.labs.verify import chains

from .books import lab_book, run_build

FENCE = Location("ch.md", 3)


def _lab(info: str, body: str = "print(1)\n", root: Path | None = None):  # type: ignore[no-untyped-def]
    attrs = parse_attrs(info)
    assert attrs is not None
    root = root or Path("/nonexistent")
    folder = LabFolder(root, root / "labs", "labs", lambda p: p.relative_to(root).as_posix())
    return read_lab(attrs, body, "ch-lab-1", FENCE, Origin("ch.md", 4), folder, 30.0)


def test_every_attribute_is_read() -> None:
    lab = _lab(
        '.micropython #cam session="s" expect="error" timeout=2.5 run="build" '
        'output="collapse" fig-alt="A plot" board="pico" check="compile" simulate=3'
    )
    assert (lab.id, lab.kind, lab.session, lab.expect_error, lab.timeout) == (
        "cam",
        "micropython",
        "s",
        True,
        2.5,
    )
    assert (lab.run, lab.output, lab.fig_alt, lab.board, lab.checks, lab.simulate) == (
        "build",
        "collapse",
        "A plot",
        "pico",
        ("compile",),
        3,
    )
    assert lab.origin == Origin("ch.md", 4) and lab.location == FENCE


def test_defaults() -> None:
    lab = _lab(".tinytorch")
    assert (lab.id, lab.timeout, lab.run, lab.output, lab.session, lab.expect_error) == (
        "ch-lab-1",
        30.0,
        "both",
        "show",
        "",
        False,
    )
    assert _lab(".micropython").board == "nicla-vision"


@pytest.mark.parametrize(
    ("info", "message"),
    [
        (
            '.tinytorch output="loud"',
            'output="loud" is not one of show, hide, collapse, illustrative',
        ),
        ('.tinytorch run="always"', 'run="always" is not one of both, build, browser, none'),
        (
            '.tinytorch expect="fail"',
            'expect="fail" is not understood; the only value is expect="error"',
        ),
        (".tinytorch timeout=0", 'timeout="0" must be a number of seconds between 0 and 3600'),
        (
            ".tinytorch timeout=soon",
            'timeout="soon" must be a number of seconds between 0 and 3600',
        ),
        (
            ".micropython simulate=-1",
            'simulate="-1" must be a frame budget: a whole number from 1 to 10000',
        ),
        (
            '.micropython board="Uno R3"',
            'board="Uno R3" is not a board name; use e.g. nicla-vision, pico, xiao-esp32s3',
        ),
        ('.micropython check="lint"', 'check="lint" is not one of compile, stubs'),
        ('.tinytorch region="adam"', "region= needs file=; name the lab file the region is in"),
        (".tinytorch #9lives", "'9lives' is not a valid lab id; use letters, digits and - _ . :"),
    ],
)
def test_bad_attributes_say_what_to_write(info: str, message: str) -> None:
    with pytest.raises(LabSyntaxError) as exc:
        _lab(info)
    assert str(exc.value) == message


def test_unknown_and_misplaced_attributes_are_warnings() -> None:
    assert _lab(".tinytorch colour=red simulate=3").warnings == [
        "unknown lab attribute 'colour' is ignored (known: file, region, session, expect, "
        "timeout, run, output, fig-alt)",
        "simulate= applies to MicroPython labs only; it is ignored here",
    ]


def test_kinds_and_golden_targets() -> None:
    assert lab_kind(parse_attrs(".tinytorch .extra")) == "tinytorch"
    assert lab_kind(parse_attrs(".python .tinytorch")) == ""
    assert golden_target(parse_attrs('.output for="lab-a"')) == "lab-a"
    assert golden_target(parse_attrs(".output")) == ""
    assert golden_target(parse_attrs(".python")) is None


REGIONS = """\
import numpy as np
W = np.ones(3)
# region adam
m = W * 0
# region inner
v = W * 0
# endregion
print(m.size + v.size)
# endregion
# region other
pass
# endregion
"""


def test_region_is_the_shown_code_and_the_lines_before_are_setup() -> None:
    region = read_region(REGIONS, "adam")
    assert region.setup == "import numpy as np\nW = np.ones(3)\n"
    assert region.code == "m = W * 0\n\nv = W * 0\n\nprint(m.size + v.size)\n"
    assert region.first_line == 4
    assert region_names(REGIONS) == ["adam", "inner", "other"]
    assert read_region(REGIONS, "other").first_line == 11
    whole = read_region("a = 1\n# region x\nb = 2\n# endregion\n", "")
    assert (whole.setup, whole.code, whole.first_line) == ("", "a = 1\n\nb = 2\n\n", 1)


def test_region_errors() -> None:
    with pytest.raises(
        RegionError, match=r"^no region 'sgd' \(regions there: adam, inner, other\)$"
    ):
        read_region(REGIONS, "sgd")
    with pytest.raises(RegionError, match=r"^region 'x' at line 1 has no '# endregion'$"):
        read_region("# region x\npass\n", "x")


def test_file_and_region_resolve_inside_the_labs_folder(tmp_path: Path) -> None:
    (tmp_path / "labs" / "opt").mkdir(parents=True)
    (tmp_path / "labs" / "opt" / "adam.py").write_text(REGIONS)
    lab = _lab('.tinytorch file="opt/adam.py" region="adam"', "", tmp_path)
    assert lab.file == tmp_path / "labs" / "opt" / "adam.py"
    assert (lab.setup, lab.origin, lab.setup_origin) == (
        "import numpy as np\nW = np.ones(3)\n",
        Origin("labs/opt/adam.py", 4),
        Origin("labs/opt/adam.py", 1),
    )
    assert _lab('.tinytorch file="labs/opt/adam.py"', "", tmp_path).code.startswith("import")
    cases = {
        '.tinytorch file="opt/none.py"': "lab file 'opt/none.py' not found (looked in 'labs'); check file=",
        '.tinytorch file="../secret.py"': "lab file '../secret.py' is outside the labs folder 'labs'",
        '.tinytorch file="opt/adam.py" region="sgd"': "no region 'sgd' (regions there: adam, inner, "
        "other) in labs/opt/adam.py; check region=",
    }
    (tmp_path / "secret.py").write_text("")
    for info, message in cases.items():
        with pytest.raises(LabSyntaxError) as exc:
            _lab(info, "", tmp_path)
        assert str(exc.value) == message
    with pytest.raises(LabSyntaxError, match="leave the block empty"):
        _lab('.tinytorch file="opt/adam.py"', "print(2)\n", tmp_path)


def test_sessions_chain_in_page_order() -> None:
    a, b, c, d = (
        _lab(f".tinytorch #{n} {s}")
        for n, s in (("a", "session=s"), ("b", ""), ("c", "session=s"), ("d", "session=t"))
    )
    assert [[lab.id for lab in chain] for chain in chains([a, b, c, d])] == [
        ["a", "c"],
        ["b"],
        ["d"],
    ]


CHAPTER = """\
# Labs

```{.tinytorch}
print(1)
```

```{.tinytorch #twice}
print(2)
```

```{.tinytorch #twice}
print(3)
```

```{.output for=ghost}
1
```

```{.output}
1
```

```{.output for=ch-lab-1}
1
```

```{.output for=ch-lab-1}
1
```

```python
import time, machine
```

```python
from pyb import LED
```

```python
import numpy
```
"""


def test_chapter_level_problems_are_reported_word_for_word(tmp_path: Path) -> None:
    _, messages, _ = run_build(lab_book(tmp_path, CHAPTER))
    assert messages == [
        "ch.md:11: error: lab[twice]: this id is already used by the lab at ch.md:7; give each "
        "lab its own #id",
        "ch.md:31: warning: this python block imports 'machine', a MicroPython board module; "
        "mark it {.micropython} so the build compiles it with mpy-cross",
        "ch.md:35: warning: this python block imports 'pyb', a MicroPython board module; mark "
        "it {.micropython} so the build compiles it with mpy-cross",
        "ch.md:15: error: {.output for=ghost}: no lab with id 'ghost' in this chapter; check for=",
        "ch.md:19: error: an {.output} block needs for=ID naming the lab it belongs to",
        "ch.md:27: error: lab[ch-lab-1]: a second {.output} block (the first is at ch.md:23); "
        "keep one",
    ]


def test_duplicate_ids_across_chapters_name_both_places(tmp_path: Path) -> None:
    root = lab_book(
        tmp_path,
        "# One\n\n```{.tinytorch #same}\nprint(1)\n```\n",
        {"two.md": "# Two\n\n\n```{.tinytorch #same}\nprint(2)\n```\n"},
    )
    _, messages, _ = run_build(root)
    assert messages == [
        "two.md:4: error: lab[same]: this id is already used by the lab at ch.md:3; give each "
        "lab its own #id"
    ]
