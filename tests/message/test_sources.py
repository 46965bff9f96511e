"""Where messages come from: .eml, mbox, and campaign template files."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

import pytest

from maysend.errors import MessageError, MessageTooLarge, UnreadableMessage
from maysend.message import (
    LinkKind,
    Region,
    SourceKind,
    iter_mbox,
    load_message,
    parse_file,
    parse_template,
)
from maysend.settings import MessageSettings

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
HTML = "<html><head><title>Spring sale</title></head><body><p>Hi {{first_name}}</p></body></html>"


def test_parse_file_names_the_file_in_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableMessage) as caught:
        parse_file(empty)
    assert caught.value.context["path"] == str(empty)
    with pytest.raises(UnreadableMessage, match="cannot read file"):
        parse_file(tmp_path / "missing.eml")


def test_parse_file_checks_the_size_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.eml"
    path.write_bytes(b"Subject: x\n\n" + b"y" * 5000)
    with pytest.raises(MessageTooLarge):
        parse_file(path, settings=MessageSettings(max_size=1000))


def test_outlook_msg_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "mail.msg"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with pytest.raises(UnreadableMessage, match=r"save the message as \.eml"):
        load_message(path)


def test_msg_holding_mime_is_read(tmp_path: Path) -> None:
    path = tmp_path / "mail.msg"
    path.write_bytes((CORPUS / "01-plain-en.eml").read_bytes())
    assert load_message(path).subject == "Minutes of Tuesday's planning meeting"


def _mbox(tmp_path: Path, messages: list[bytes]) -> Path:
    path = tmp_path / "box.mbox"
    box = mailbox.mbox(path)
    for data in messages:
        box.add(data)
    box.flush()
    box.close()
    return path


def test_iter_mbox_reads_every_entry(tmp_path: Path) -> None:
    names = ["01-plain-en.eml", "03-alternative.eml", "16-rfc2047-de.eml"]
    path = _mbox(tmp_path, [(CORPUS / name).read_bytes() for name in names])
    subjects = [m.subject for m in iter_mbox(path)]
    assert subjects == [
        "Minutes of Tuesday's planning meeting",
        "Your table is booked",
        "Grüße aus München und über die Alpen",
    ]


def test_iter_mbox_bad_entry_raises_or_is_collected(tmp_path: Path) -> None:
    big = b"From: a@example.com\nSubject: big\n\n" + b"x" * 3000 + b"\n"
    good = (CORPUS / "01-plain-en.eml").read_bytes()
    path = _mbox(tmp_path, [good, big, good])
    settings = MessageSettings(max_size=2000)
    with pytest.raises(MessageTooLarge) as caught:
        list(iter_mbox(path, settings=settings))
    assert caught.value.context["entry"] == 2
    errors: list[MessageError] = []
    read = list(iter_mbox(path, settings=settings, errors=errors))
    assert len(read) == 2
    assert [e.context["entry"] for e in errors] == [2]


def test_iter_mbox_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableMessage, match="no such mbox"):
        list(iter_mbox(tmp_path / "none.mbox"))


def test_parse_template_keeps_merge_tags() -> None:
    message = parse_template(
        "{{ first_name }}, 20% off *|SEASON|*",
        html="<p>Hi %%name%%</p><p><a href='{{unsubscribe_url}}'>Unsubscribe</a></p>",
        text="Hi %%name%%",
    )
    assert message.source is SourceKind.TEMPLATE
    assert message.subject == "{{ first_name }}, 20% off *|SEASON|*"
    assert message.merge_tags == (
        "{{ first_name }}",
        "*|SEASON|*",
        "%%name%%",
        "{{unsubscribe_url}}",
    )
    assert message.text == "Hi %%name%%\nUnsubscribe"
    assert message.links[0].kind is LinkKind.UNSUBSCRIBE
    assert message.has_html


def test_parse_template_text_only_and_errors() -> None:
    message = parse_template("Notice", text="Line one.\n\nVisit https://example.com/a.")
    assert [b.text for b in message.blocks] == ["Line one.", "Visit https://example.com/a."]
    assert [link.href for link in message.links] == ["https://example.com/a"]
    with pytest.raises(UnreadableMessage, match="needs an HTML or a text body"):
        parse_template("Nothing")


def test_template_html_without_text_falls_back_to_plain() -> None:
    message = parse_template("s", html="<img src='x.png' alt='banner'>", text="Plain words")
    assert [b.text for b in message.blocks] == ["Plain words"]
    assert message.images[0].alt == "banner"


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_load_template_files(tmp_path: Path, suffix: str) -> None:
    (tmp_path / "body.html").write_text(HTML, encoding="utf-8")
    data = {"subject": "Spring {{first_name}}", "html_file": "body.html", "text": "Hi"}
    path = tmp_path / f"campaign{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(data), encoding="utf-8")
    else:
        path.write_text("\n".join(f"{k}: '{v}'" for k, v in data.items()), encoding="utf-8")
    message = load_message(path)
    assert message.source is SourceKind.TEMPLATE
    assert message.subject == "Spring {{first_name}}"
    assert message.text == "Hi {{first_name}}"
    assert message.merge_tags == ("{{first_name}}",)


def test_load_bare_html_takes_the_title_as_subject(tmp_path: Path) -> None:
    path = tmp_path / "mail.html"
    path.write_text(HTML, encoding="utf-8")
    message = load_message(path)
    assert message.subject == "Spring sale"
    assert message.blocks[0].region is Region.BODY


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("- just\n- a list\n", "must be a mapping"),
        ("subject: [unclosed\n", "not valid yaml"),
        ("html: '<p>x</p>'\n", "needs a 'subject'"),
        ("subject: s\n", "needs 'html' or 'text'"),
        ("subject: s\nhtml: '<p>x</p>'\nhtml_file: a.html\n", "both 'html' and 'html_file'"),
        ("subject: s\nhtml_file: missing.html\n", "cannot read file"),
        ("subject: s\ntext: 5\n", "'text' must be text"),
    ],
    ids=["not-mapping", "bad-yaml", "no-subject", "no-body", "both", "missing-file", "not-text"],
)
def test_bad_template_files(tmp_path: Path, content: str, error: str) -> None:
    path = tmp_path / "campaign.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UnreadableMessage, match=error):
        load_message(path)
