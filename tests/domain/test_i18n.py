"""The one catalogue: every entry in both languages, with the same placeholders, and every key the code names exists."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from deskpay.domain.i18n import (
    AREAS,
    Msg,
    Section,
    T,
    catalogue,
    has,
    text,
    visible_echo,
)
from deskpay.domain.money import Money

PACKAGE = Path(__file__).resolve().parents[2] / "deskpay"
ERRORS = {"DeskpayError", "InvalidInput", "NotFound", "Refused", "ProviderError", "DeliveryError", "Msg"}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_entry_exists_in_both_languages_with_the_same_placeholders() -> None:
    problems = []
    for key, entry in catalogue().items():
        if not entry.fr.strip() or not entry.en.strip():
            problems.append(f"{key}: empty text")
        elif _placeholders(entry.fr) != _placeholders(entry.en):
            problems.append(f"{key}: fr {_placeholders(entry.fr)} ≠ en {_placeholders(entry.en)}")
    assert not problems, "\n".join(problems)


def test_a_key_defined_twice_is_refused(monkeypatch) -> None:
    import deskpay.domain.catalogue.cli as cli_area

    catalogue.cache_clear()
    monkeypatch.setitem(cli_area.ENTRIES, "amount.empty", T(fr="autre", en="other"))
    try:
        with pytest.raises(ValueError, match="amount.empty"):
            catalogue()
    finally:
        monkeypatch.undo()
        catalogue.cache_clear()


def _sections(tree: ast.Module) -> dict[str, str]:
    """``NAME = Section("prefix")`` assignments of a module."""
    found = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", "") == "Section"
            and node.value.args
            and isinstance(node.value.args[0], ast.Constant)
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.args[0].value.rstrip(".") + "."
    return found


def _named_keys() -> list[tuple[str, int, str]]:
    """(file, line, key) for every literal catalogue key the package names."""
    keys = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "catalogue" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        sections = _sections(tree)
        screen_section = sections.get("LABELS")
        catalogue_text = any(
            isinstance(node, ast.ImportFrom)
            and node.module == "deskpay.domain.i18n"
            and any(alias.name == "text" for alias in node.names)
            for node in ast.walk(tree)
        )
        for node in ast.walk(tree):
            if (
                not isinstance(node, ast.Call)
                or not node.args
                or not isinstance(node.args[0], ast.Constant)
                or not isinstance(node.args[0].value, str)
            ):
                continue
            literal, func = node.args[0].value, node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in ERRORS or (name == "text" and isinstance(func, ast.Name) and catalogue_text):
                keys.append((path.name, node.lineno, literal))
            elif isinstance(func, ast.Name) and name in sections:
                keys.append((path.name, node.lineno, sections[name] + literal))
            elif name == "t" and isinstance(func, ast.Attribute) and screen_section:
                keys.append((path.name, node.lineno, screen_section + literal))
        for prefix in sections.values():
            keys.append((path.name, 0, prefix))
    return keys


def test_every_key_named_in_the_code_is_in_the_catalogue() -> None:
    known = catalogue()
    missing = []
    for file, line, key in _named_keys():
        if key.endswith("."):
            if not any(k.startswith(key) for k in known):
                missing.append(f"{file}:{line}: section {key!r} has no entry")
        elif key not in known:
            missing.append(f"{file}:{line}: {key!r}")
    assert not missing, "\n".join(missing)


def test_every_described_key_binding_has_its_words_in_both_languages() -> None:
    missing = []
    for path in sorted((PACKAGE / "tui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Binding":
                ids = [k.value.value for k in node.keywords if k.arg == "id" and isinstance(k.value, ast.Constant)]
                described = len(node.args) >= 3 and bool(getattr(node.args[2], "value", ""))
                if ids and described and not has(f"key.{ids[0]}"):
                    missing.append(f"{path.name}: key.{ids[0]}")
    assert not missing, "\n".join(missing)


def test_the_areas_are_the_catalogue_modules() -> None:
    modules = {path.stem for path in (PACKAGE / "domain" / "catalogue").glob("*.py") if path.stem != "__init__"}
    assert modules == set(AREAS)


def test_parameters_are_written_in_the_readers_language() -> None:
    assert (
        text("amount.above_ceiling", "fr", ceiling=Money(150050, "EUR"))
        == "Le montant dépasse la limite de 1\u202f500,50\xa0€."
    )
    assert (
        text("amount.above_ceiling", "en", ceiling=Money(150050, "EUR"))
        == "The amount is above the limit of €1,500.50."
    )
    assert text("text.required", "fr", field=Msg("field.name")) == "Le nom est obligatoire."
    assert text("text.required", "en", field=Msg("field.name")) == "Name is required."


def test_typed_text_is_echoed_on_one_visible_line() -> None:
    assert (
        text("amount.not_a_number", "en", text="a\nb") == "“a\\nb” is not an amount. Type digits, e.g. 12.50 or 12,50."
    )
    assert visible_echo("x" * 100).endswith("…")


def test_an_unknown_key_reads_as_itself_and_a_section_reads_its_prefix() -> None:
    assert text("no.such.key", "fr") == "no.such.key"
    labels = Section("ui.banner")
    assert labels("sandbox", "en") == "SANDBOX — fake payments"
    assert "sandbox" in labels and "nothing" not in labels
    assert labels.as_dict("fr")["sandbox"] == "SANDBOX — paiements fictifs"
