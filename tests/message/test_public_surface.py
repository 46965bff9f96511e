"""The package exports what the docs promise, and nothing domain-side imports interfaces."""

from __future__ import annotations

import ast
from pathlib import Path

import maysend.message as message_package

PACKAGE = Path(message_package.__file__).parent


def test_public_names() -> None:
    assert set(message_package.__all__) == {
        "Address",
        "Attachment",
        "Block",
        "BlockKind",
        "Headers",
        "Image",
        "Link",
        "LinkKind",
        "Message",
        "Region",
        "SourceKind",
        "iter_mbox",
        "load_message",
        "message_to_dict",
        "parse_bytes",
        "parse_file",
        "parse_template",
    }
    for name in message_package.__all__:
        assert getattr(message_package, name) is not None


def test_no_interface_imports() -> None:
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(
                    ("maysend.cli", "maysend.api", "maysend.smtp", "maysend.web")
                ), path.name


def test_data_files_ship_beside_the_code() -> None:
    assert (PACKAGE / "links.yaml").is_file()
    assert (PACKAGE / "footer.yaml").is_file()
