"""`maysend classify`, `maysend train`, `maysend eval`: thin commands over maysend.classify.

classify: one JSON object per message per line with --json (the stable contract in
`Verdict.to_dict`), otherwise a Rich rendering with the evidence highlighted in its
context. An unreadable input is one error line on stderr; the others are still
classified, and the exit code is 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from maysend.classify import (
    PROMOTIONAL,
    Classifier,
    ClassifierSettings,
    Evidence,
    Kind,
    Verdict,
    load_classifier,
)
from maysend.classify.corpus import corpus_files, read_label
from maysend.classify.evaluation import Outcome, Report, evaluate
from maysend.classify.segments import segments_of
from maysend.cli.app import EXIT_ERROR, app, console, err_console, fail
from maysend.errors import MaysendError
from maysend.message import Message, load_message, parse_bytes

ModelOption = Annotated[
    Path | None, typer.Option("--model", help="Model artifact (default: the shipped one)")
]


def _inputs(paths: list[str]) -> Iterator[tuple[str, Path | None]]:
    """(source, path) per message input; `-` is standard input (path None)."""
    for raw in paths:
        if raw == "-":
            yield "-", None
            continue
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*.eml")):
                yield str(found), found
        else:
            yield raw, path


def _load(path: Path | None) -> Message:
    if path is None:
        return parse_bytes(sys.stdin.buffer.read())
    if not path.exists():
        raise MaysendError("no such file or directory")
    return load_message(path)


def _classifier(model: Path | None) -> Classifier:
    try:
        return load_classifier(ClassifierSettings(model_path=model) if model else None)
    except MaysendError as error:
        fail(error)


@app.command("classify")
def classify_command(
    paths: Annotated[list[str], typer.Argument(help=".eml files, directories, or - for stdin")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per message")] = False,
    model: ModelOption = None,
) -> None:
    """Is each message marketing? Verdict, score and the evidence that decided it."""
    classifier = _classifier(model)
    failed = False
    for source, path in _inputs(paths):
        try:
            message = _load(path)
            verdict = classifier.classify(message)
        except (MaysendError, OSError) as error:
            err_console.print(f"error: {source}: {error}", highlight=False, soft_wrap=True)
            failed = True
            continue
        if as_json:
            sys.stdout.write(json.dumps(verdict.to_dict(source), ensure_ascii=False) + "\n")
        else:
            _render(source, message, verdict, classifier)
    sys.stdout.flush()
    if failed:
        raise typer.Exit(EXIT_ERROR)


def _render(source: str, message: Message, verdict: Verdict, classifier: Classifier) -> None:
    colour = "red" if verdict.kind is Kind.MARKETING else "green"
    head = Text.assemble(
        (verdict.kind.value.upper(), f"bold {colour}"),
        f"  score {verdict.score:.2f}  language {verdict.language}",
        f"  purpose {verdict.primary_purpose.value}",
        f"  service basis {verdict.service_basis.value if verdict.service_basis else '-'}",
    )
    if verdict.flags:
        head.append(f"\nflags: {', '.join(verdict.flags)}", style="yellow")
    if verdict.gap:
        head.append(f"\ngap: {verdict.gap}", style="bold yellow")
    texts = {s.where: s.text for s in segments_of(message, classifier.rules.budget_chars).items}
    table = Table(show_header=True, header_style="bold", expand=True)
    for column in ("indicator", "category", "where", "weight", "in context"):
        table.add_column(column, overflow="fold")
    for e in verdict.evidence:
        context = Text(texts.get(e.where, e.text))
        context.highlight_words([e.text], style=f"bold {colour if e.weight else 'yellow'}")
        table.add_row(e.indicator, e.category.value, e.where, f"{e.weight:g}", context)
    console.print(Panel(head, title=source, title_align="left"))
    if verdict.evidence:
        console.print(table)


@app.command("train")
def train_command(
    corpus: Annotated[Path, typer.Option("--corpus", help="Labelled training split")] = Path(
        "corpus/classify/train"
    ),
    out: Annotated[Path | None, typer.Option("--out", help="Artifact to write")] = None,
    sentences: Annotated[
        Path,
        typer.Option(
            "--sentences", help="Labelled sentences (<lang>.txt), read as blocks if present"
        ),
    ] = Path("corpus/classify/sentences"),
    cv: Annotated[
        bool,
        typer.Option(
            "--cv", help="Cross-validate instead: stratified 5-fold, leave one writer out"
        ),
    ] = False,
) -> None:
    """Train the block model on the labelled corpus (reproducible: same corpus, same model)."""
    from maysend.classify import frequency
    from maysend.classify.engine import shipped_model_path
    from maysend.classify.training import train_with_frequency

    labelled = sentences if sentences.is_dir() else None
    if cv:
        _cross_validate(corpus, labelled)
        return
    try:
        model, words = train_with_frequency(corpus, sentences=labelled)
    except MaysendError as error:
        fail(error)
    target = out or shipped_model_path()
    model.save(target)
    frequency.save(frequency.beside(target), words)
    stats = ", ".join(f"{k} {v}" for k, v in model.stats.items())
    console.print(f"model {model.version} → {target}", highlight=False)
    # as chosen, on its 0.0025 grid (two decimals would show 0.9575 as 0.96)
    console.print(f"{stats}; block threshold {model.threshold:g}", highlight=False)


def _cross_validate(corpus: Path, sentences: Path | None) -> None:
    from maysend.classify import crossval

    try:
        loaded = crossval.load(corpus, sentences)
    except MaysendError as error:
        fail(error)
    for scheme in crossval.SCHEMES:
        console.print(f"[bold]{scheme} cross-validation[/bold] ({corpus})", highlight=False)
        _print_report(crossval.cross_validate(loaded, scheme))


@app.command("eval")
def eval_command(
    directory: Annotated[Path, typer.Argument(help="Labelled messages (recursively *.eml)")],
    model: ModelOption = None,
) -> None:
    """Precision, recall and F1 per language, the confusion matrix, and what went wrong."""
    classifier = _classifier(model)
    try:
        files = corpus_files(directory)
    except MaysendError as error:
        fail(error)
    outcomes, errors = [], []
    for path in files:
        try:
            item = read_label(path, directory)
            outcomes.append(Outcome(item, classifier.classify(load_message(path))))
        except (MaysendError, OSError) as error:
            errors.append((path, str(error)))
    report = evaluate(outcomes, errors)
    _print_report(report)
    if errors:
        raise typer.Exit(EXIT_ERROR)


def _decisive(e: Evidence) -> tuple[bool, float]:
    """Promotional evidence first (it decides a marketing verdict), strongest first."""
    return (e.category not in PROMOTIONAL, -e.weight)


def _print_report(report: Report) -> None:
    table = Table(title="marketing = positive class", header_style="bold")
    for column in ("language", "messages", "precision", "recall", "F1", "TP", "FN", "FP", "TN"):
        table.add_column(column, justify="right")
    rows = [*report.by_language.items(), ("all", report.overall)]
    for language, c in rows:
        table.add_row(
            language,
            str(c.total),
            f"{c.precision:.3f}",
            f"{c.recall:.3f}",
            f"{c.f1:.3f}",
            *(str(n) for n in (c.tp, c.fn, c.fp, c.tn)),
        )
    console.print(table)
    matrix = Table(title="confusion matrix (rows: label, columns: verdict)", header_style="bold")
    for column in ("", "marketing", "service"):
        matrix.add_column(column, justify="right")
    matrix.add_row("marketing", str(report.overall.tp), str(report.overall.fn))
    matrix.add_row("service", str(report.overall.fp), str(report.overall.tn))
    console.print(matrix)
    console.print(
        f"marketing with a service purpose classified as service: {len(report.dressed_as_service)}",
        highlight=False,
    )
    for o in report.misclassified:
        top = sorted(o.verdict.evidence, key=_decisive)[:3]
        shown = "; ".join(f"{e.indicator} {e.where} {e.text[:60]!r}" for e in top) or "no evidence"
        console.print(
            f"[bold]{o.item.label.value}→{o.verdict.kind.value}[/bold] {o.item.path} "
            f"(score {o.verdict.score:.2f}): {shown}",
            highlight=False,
            soft_wrap=True,
        )
    for path, error in report.errors:
        err_console.print(f"error: {path}: {error}", highlight=False, soft_wrap=True)
