"""Themes are files: loaded, validated, switched at run time, remembered; a bad one falls back and says so."""

from __future__ import annotations

import json
import shutil

from textual.command import CommandPalette

from deskpay import paths
from deskpay.tui.common.banner import ModeBanner
from deskpay.tui.state import UiState, load_state, save_state
from deskpay.tui.themes import DEFAULT_THEME, VARIABLE_DEFAULTS, load_themes
from tests.support.tui import make_app, settle, until

SHIPPED = ("deskpay-dark", "deskpay-light", "deskpay-high-contrast")


def test_shipped_themes_load_and_declare_our_variables():
    loaded = load_themes()
    assert not loaded.problems
    names = [theme.name for theme in loaded.themes]
    assert set(SHIPPED) <= set(names)
    for theme in loaded.themes:
        for variable in ("status-paid", "status-open", "status-expired", "banner-sandbox"):
            assert variable in theme.variables, (theme.name, variable)


def test_invalid_theme_files_are_reported_not_loaded(tmp_path):
    (tmp_path / "good.toml").write_text('name = "good"\nprimary = "#336699"\n[variables]\nstatus-paid = "#00ff00"\n')
    (tmp_path / "colour.toml").write_text('name = "colour"\nprimary = "not-a-colour"\n')
    (tmp_path / "unknown.toml").write_text('name = "unknown"\nprimary = "#336699"\nsparkles = true\n')
    (tmp_path / "noname.toml").write_text('primary = "#336699"\n')
    (tmp_path / "broken.toml").write_text('name = "broken\n')
    (tmp_path / "variable.toml").write_text(
        'name = "variable"\nprimary = "#336699"\n[variables]\nstatus-paid = "vert"\n'
    )
    loaded = load_themes(tmp_path)
    assert [theme.name for theme in loaded.themes] == ["good"]
    texts = sorted(problem.text("fr") for problem in loaded.problems)
    assert len(texts) == 5
    assert any("colour.toml" in t and "n'est pas une couleur" in t for t in texts)
    assert any("unknown.toml" in t and "sparkles" in t for t in texts)
    assert any("noname.toml" in t and "name" in t for t in texts)
    assert any("broken.toml" in t and "illisible" in t for t in texts)
    assert any("variable.toml" in t and "status-paid" in t for t in texts)


def test_state_file_round_trip_and_garbage(tmp_path):
    path = tmp_path / "state" / "tui-state.json"
    assert load_state(path) == UiState()
    assert save_state(path, UiState(theme="deskpay-light"))
    assert json.loads(path.read_text()) == {"theme": "deskpay-light"}
    assert load_state(path).theme == "deskpay-light"
    path.write_text("{not json")
    assert load_state(path) == UiState()
    path.write_text('["a list"]')
    assert load_state(path) == UiState()


async def test_default_theme_banner_and_our_variables(tui_desk):
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == DEFAULT_THEME
        for name in SHIPPED:
            assert name in app.available_themes
        assert app.theme_variables["status-paid"] == app.current_theme.variables["status-paid"]
        banner = app.screen.query_one(ModeBanner)
        assert str(banner.query_one("#banner-mode").render()) == "SANDBOX — paiements fictifs"
        assert banner.has_class("-sandbox")


async def test_switch_theme_at_run_time_and_it_is_remembered(tui_desk):
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"clair")
        await until(
            pilot, lambda: app.screen.query("CommandList") and app.screen.query_one("CommandList").option_count > 0
        )
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "deskpay-light"
        assert not app.current_theme.dark
    assert load_state(app.state_file).theme == "deskpay-light"

    again = make_app(tui_desk)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.theme == "deskpay-light"


async def test_high_contrast_through_the_command_palette(tui_desk):
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"changer de")
        await until(
            pilot, lambda: app.screen.query("CommandList") and app.screen.query_one("CommandList").option_count > 0
        )
        await pilot.press("enter")  # "Changer de thème"
        await settle(pilot)
        await pilot.press(*"contraste")
        await until(
            pilot, lambda: app.screen.query("CommandList") and app.screen.query_one("CommandList").option_count > 0
        )
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "deskpay-high-contrast"


async def test_invalid_theme_file_falls_back_and_notifies(tui_desk, tmp_path):
    themes = tmp_path / "themes"
    themes.mkdir()
    for name in SHIPPED:
        shutil.copy(paths.themes_dir() / f"{name}.toml", themes / f"{name}.toml")
    (themes / "sunset.toml").write_text('name = "sunset"\nprimary = "#zzzzzz"\n')
    state_file = tmp_path / "state.json"
    save_state(state_file, UiState(theme="sunset"))  # chosen when it was still valid
    app = make_app(tui_desk, themes_dir=themes, state_file=state_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == DEFAULT_THEME
        messages = [n.message for n in app._notifications]
        assert any("sunset.toml" in m for m in messages)
        assert any("« sunset » indisponible" in m for m in messages)
    # The operator's choice is not overwritten by the fallback.
    assert load_state(state_file).theme == "sunset"


async def test_builtin_theme_gets_our_variable_defaults(tui_desk):
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.theme = "textual-light"  # a theme that knows nothing of deskpay
        await settle(pilot)
        assert app.theme_variables["status-paid"] == VARIABLE_DEFAULTS["status-paid"]
