"""QR codes drawn in the terminal must scan: every test reads the code back with zxing."""

from __future__ import annotations

import random
import string
import subprocess
import sys

import pytest

from deskpay.services.links.qr import (
    STANDARD_QUIET_ZONE,
    QrTooLarge,
    cells_needed,
    make_qr,
    render_half_blocks,
)
from tests.support.qr_decode import (
    decode_half_blocks,
    decode_modules,
    modules_from_half_blocks,
    read_modules,
)

URL_SAFE = string.ascii_letters + string.digits + "-_"
ALNUM = string.ascii_letters + string.digits
LEVEL_RANK = {"L": 0, "M": 1, "Q": 2, "H": 3}


def sandbox_url(length: int = 120, *, seed: int = 1) -> str:
    """A sandbox pay link: a 43-character token, padded with a query to ``length``."""
    rng = random.Random(seed)
    url = "http://192.168.1.20:8765/pay/" + "".join(rng.choice(URL_SAFE) for _ in range(43))
    if length > len(url):
        url += "?ref="
        url += "".join(rng.choice(URL_SAFE) for _ in range(length - len(url)))
    return url[:length]


def stripe_url(length: int, *, seed: int = 2) -> str:
    """Shaped like a Stripe Checkout link: session id then a long encoded fragment."""
    rng = random.Random(seed)
    url = "https://checkout.stripe.com/c/pay/cs_test_" + "".join(rng.choice(ALNUM) for _ in range(58)) + "#fid"
    while len(url) < length:
        url += "%2F" if rng.random() < 0.03 else rng.choice(ALNUM)
    return url[:length]


def assert_fits(lines: list[str], cols: int, rows: int) -> None:
    assert len(lines) <= rows
    assert max(len(line) for line in lines) <= cols


def test_sandbox_link_of_120_characters_fits_80x24_and_scans() -> None:
    url = sandbox_url(120)
    assert len(url) == 120

    qr = make_qr(url, max_cells=(80, 24))
    lines = render_half_blocks(qr)

    assert_fits(lines, 80, 24)
    # 45×23 leaves 35 columns beside the code for the amount and instructions.
    assert qr.cells == (45, 23) == cells_needed(url)
    assert decode_half_blocks(lines) == url


def test_unpadded_sandbox_link_keeps_three_rows_for_text_at_80x24() -> None:
    url = sandbox_url(72)

    qr = make_qr(url, max_cells=(80, 21))

    assert qr.quiet_zone == STANDARD_QUIET_ZONE
    assert_fits(render_half_blocks(qr), 80, 21)
    assert decode_half_blocks(render_half_blocks(qr)) == url


@pytest.mark.parametrize("length", [350, 420, 450])
def test_stripe_link_scans_in_the_smallest_area_it_needs(length: int) -> None:
    url = stripe_url(length)
    cols, rows = cells_needed(url)

    qr = make_qr(url, max_cells=(cols, rows))

    assert qr.cells == (cols, rows)
    assert qr.error_correction == "L"
    assert decode_half_blocks(render_half_blocks(qr)) == url


def test_stripe_link_of_420_characters_needs_about_77x39() -> None:
    url = stripe_url(420)

    qr = make_qr(url, max_cells=(80, 40))

    # Level L with the standard quiet zone; a narrow one squeezes it to 73×37.
    assert (qr.error_correction, qr.quiet_zone, qr.cells) == ("L", STANDARD_QUIET_ZONE, (77, 39))
    assert cells_needed(url) == (73, 37)
    assert decode_half_blocks(render_half_blocks(qr)) == url


def test_too_small_a_terminal_is_refused_with_the_size_needed() -> None:
    url = stripe_url(420)

    with pytest.raises(QrTooLarge) as caught:
        make_qr(url, max_cells=(80, 24))

    assert caught.value.needed == (73, 37)
    assert "73×37" in str(caught.value) and "80×24" in str(caught.value)
    assert "73×37" in caught.value.text("fr") and "Agrandissez" in caught.value.text("fr")


def test_the_size_needed_is_exactly_the_limit() -> None:
    url = sandbox_url(120)
    cols, rows = cells_needed(url)

    make_qr(url, max_cells=(cols, rows))
    for smaller in ((cols - 1, rows), (cols, rows - 1)):
        with pytest.raises(QrTooLarge):
            make_qr(url, max_cells=smaller)


def test_error_correction_drops_as_the_link_grows_in_a_fixed_area() -> None:
    levels = []
    for length in (40, 90, 120, 200, 300, 420):
        url = stripe_url(length) if length > 120 else sandbox_url(length)
        qr = make_qr(url, max_cells=(80, 40))
        barcode = read_modules(qr.modules)
        assert barcode.text == url
        assert barcode.ec_level == qr.error_correction
        levels.append(qr.error_correction)

    ranks = [LEVEL_RANK[level] for level in levels]
    assert ranks == sorted(ranks, reverse=True)
    assert levels[0] == "H" and levels[-1] == "L"


def test_with_no_area_error_correction_m_is_preferred() -> None:
    qr = make_qr(stripe_url(420))

    assert (qr.error_correction, qr.quiet_zone) == ("M", STANDARD_QUIET_ZONE)
    assert qr.size == 17 + 4 * qr.version + 2 * STANDARD_QUIET_ZONE


@pytest.mark.parametrize("dark_on_light", [True, False])
def test_both_polarities_scan(dark_on_light: bool) -> None:
    url = sandbox_url(120)
    qr = make_qr(url, max_cells=(80, 24))

    lines = render_half_blocks(qr, dark_on_light=dark_on_light)
    modules = modules_from_half_blocks(lines, dark_on_light=dark_on_light)

    assert [tuple(row) for row in modules[: qr.size]] == list(qr.modules)
    assert not any(modules[qr.size])  # the half-row under the code is light
    assert decode_modules(modules) == url


def test_light_ink_is_the_negative_of_dark_ink() -> None:
    qr = make_qr(sandbox_url(72))
    negative = str.maketrans({" ": "█", "█": " ", "▀": "▄", "▄": "▀"})

    dark_ink = render_half_blocks(qr, dark_on_light=True)
    light_ink = render_half_blocks(qr, dark_on_light=False)

    assert light_ink == [line.translate(negative) for line in dark_ink]
    assert set("".join(dark_ink)) <= {" ", "▀", "▄", "█"}


def test_light_ink_drawn_dark_is_an_inverted_code_that_only_tolerant_readers_scan() -> None:
    # What a light-ink rendering looks like if printed dark on light by mistake.
    url = sandbox_url(72)
    lines = render_half_blocks(make_qr(url), dark_on_light=False)
    inverted = modules_from_half_blocks(lines, dark_on_light=True)

    with pytest.raises(AssertionError):
        decode_modules(inverted)
    assert decode_modules(inverted, allow_inverted=True) == url


def test_a_narrow_quiet_zone_scans_on_a_dark_terminal_background() -> None:
    url = sandbox_url(120)
    qr = make_qr(url, max_cells=(80, 24))
    assert qr.quiet_zone < STANDARD_QUIET_ZONE

    assert decode_modules(qr.modules, surround=6) == url


def test_a_link_longer_than_any_qr_code_is_refused() -> None:
    url = "https://example.com/" + "x" * 3000

    with pytest.raises(QrTooLarge) as caught:
        cells_needed(url)
    assert caught.value.needed is None
    assert "too long" in str(caught.value)
    with pytest.raises(QrTooLarge):
        make_qr(url)
    with pytest.raises(QrTooLarge):
        make_qr(url, max_cells=(500, 500))


def test_the_qr_service_does_not_load_textual() -> None:
    code = "import sys, deskpay.services.links.qr; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
