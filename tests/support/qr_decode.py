"""Read QR codes back from what the screen shows, as a phone at the desk would.

``modules_from_half_blocks`` undoes :func:`deskpay.services.qr.render_half_blocks`;
``decode_modules`` draws the modules as a greyscale picture and has zxing-cpp
read it. The picture is a plain buffer (``memoryview`` cast to rows × columns
of bytes), which zxing-cpp accepts as it is: no numpy or Pillow needed.
"""

from __future__ import annotations

from collections.abc import Sequence

import zxingcpp

_HALVES = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}
_BLACK, _WHITE = 0, 255


def modules_from_half_blocks(lines: Sequence[str], *, dark_on_light: bool = True) -> list[list[bool]]:
    """Module rows (``True`` is dark) from half-block lines, two rows per line.

    ``dark_on_light`` says what the glyphs' ink means, as in ``render_half_blocks``:
    dark modules when true, light modules when false. The result has an even
    number of rows; the last one may be the light half-row below the code.
    """
    rows: list[list[bool]] = []
    for line in lines:
        try:
            halves = [_HALVES[char] for char in line]
        except KeyError as error:
            raise ValueError(f"not a half-block character: {error.args[0]!r}") from None
        rows.append([upper == dark_on_light for upper, _ in halves])
        rows.append([lower == dark_on_light for _, lower in halves])
    return rows


def modules_to_image(modules: Sequence[Sequence[bool]], *, scale: int = 4, surround: int = 0) -> memoryview:
    """A greyscale picture, ``scale`` pixels a module, dark modules black on white.

    ``surround`` adds that many modules of black all around, like a dark
    terminal background around a code painted black on white.
    """
    height = len(modules) + 2 * surround
    width = max(len(row) for row in modules) + 2 * surround
    pixels = bytearray([_BLACK if surround else _WHITE]) * (height * width * scale * scale)
    stride = width * scale
    for y, row in enumerate(modules):
        line = bytearray()
        for x in range(width - 2 * surround):
            dark = x < len(row) and row[x]
            line += bytes([_BLACK if dark else _WHITE]) * scale
        start_x = surround * scale
        for dy in range(scale):
            offset = ((y + surround) * scale + dy) * stride + start_x
            pixels[offset : offset + len(line)] = line
    return memoryview(pixels).cast("B", shape=[height * scale, stride])


def read_modules(
    modules: Sequence[Sequence[bool]], *, scale: int = 4, surround: int = 0, allow_inverted: bool = False
) -> zxingcpp.Barcode:
    """The one QR code zxing reads in ``modules`` (text, ``ec_level``...); AssertionError when it reads none.

    Inverted codes (light modules on dark) are refused unless ``allow_inverted``,
    so a test can tell the two polarities apart.
    """
    image = modules_to_image(modules, scale=scale, surround=surround)
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode, try_invert=allow_inverted)
    assert len(found) == 1, f"expected one QR code, zxing read {len(found)}"
    return found[0]


def decode_modules(
    modules: Sequence[Sequence[bool]], *, scale: int = 4, surround: int = 0, allow_inverted: bool = False
) -> str:
    """The text of the one QR code in ``modules``; see :func:`read_modules`."""
    return read_modules(modules, scale=scale, surround=surround, allow_inverted=allow_inverted).text


def decode_half_blocks(lines: Sequence[str], *, dark_on_light: bool = True, **options: object) -> str:
    """Shortcut: read half-block lines straight to the encoded text."""
    return decode_modules(modules_from_half_blocks(lines, dark_on_light=dark_on_light), **options)  # type: ignore[arg-type]
