"""The parts of a multi-volume outline that no single option's type can say: default
volume ids and file names, and the rules between volumes (unique ids and files, no
top-level ``chapters:`` beside ``volumes:``). Problems are collected, never raised."""

from __future__ import annotations

from .schema import BookConfig
from .validate import Problems
from .yamlio import YamlDoc


def settle_volumes(config: BookConfig, doc: YamlDoc, problems: Problems) -> None:
    """Fill each volume's default ``id`` and ``output-name`` (and the combined edition's),
    then report what makes the volumes ambiguous."""
    given = doc.data if isinstance(doc.data, dict) else {}
    if not config.volumes:
        if "combined" in given:
            problems.add(doc, ("combined",), "only a book with volumes has a combined "
                         "edition; declare volumes or remove combined")  # fmt: skip
        return
    if config.chapters:
        problems.add(doc, ("chapters",), "a book with volumes lists its chapters under each "
                     "volume; move these entries into a volume's chapters")  # fmt: skip
    config.combined.output_name = config.combined.output_name or config.file_stem()
    ids: dict[str, int] = {}
    files: dict[str, str] = {config.combined.output_name: "the combined edition"}
    for i, volume in enumerate(config.volumes):
        volume.id = volume.id or f"vol{i + 1}"
        volume.output_name = volume.output_name or f"{config.file_stem()}-{volume.id}"
        here = ("volumes", i)
        if volume.id == "all" or volume.id.isdigit():
            problems.add(doc, (*here, "id"), f"'{volume.id}' cannot be a volume's id (--volume "
                         "reads 'all' as the combined edition and a number as a volume's "
                         f"position); choose another, such as 'vol{i + 1}'")  # fmt: skip
        elif volume.id in ids:
            problems.add(doc, (*here, "id"), f"'{volume.id}' is already the id of "
                         f"volumes[{ids[volume.id]}]; give each volume its own id")  # fmt: skip
        ids.setdefault(volume.id, i)
        if volume.output_name in files:
            problems.add(doc, (*here, "output-name"), f"'{volume.output_name}' is already the "
                         f"file name of {files[volume.output_name]}; give each edition its "
                         "own output-name")  # fmt: skip
        files.setdefault(volume.output_name, f"volumes[{i}]")
        if not volume.chapters:
            problems.add(doc, here, "the volume lists no chapters; add its chapters or "
                         "remove the volume")  # fmt: skip
