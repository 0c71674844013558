"""QR codes for payment links, sized to the terminal they are shown in.

A customer at the desk scans the code off the operator's screen, often over
SSH in an 80×24 window, so a code is only worth drawing if it fits whole.
The code is drawn with half blocks: one terminal column per module across and
two modules per row down (the upper and lower halves of a character cell).
Terminal cells are about twice as tall as they are wide, so the modules come
out square. A code of ``size`` modules a side therefore takes ``size`` columns
and ``ceil(size / 2)`` rows (see :attr:`QrCode.cells`).

Choosing the code for an area (``make_qr(data, max_cells=(cols, rows))``):

* the highest error correction of H, Q, M, L whose code fits, with the
  standard 4-module quiet zone (light margin);
* if even L does not fit, the same again with a 2-module quiet zone. Readers
  (zxing, phone cameras) find a code with 2 light modules around it even on a
  dark terminal background, and it saves 4 modules (2 rows, 4 columns): that
  is what makes a sandbox link padded to 120 characters fit an 80×24 window;
* otherwise :class:`QrTooLarge`, whose message says which size is needed, so
  the screen asks for a larger terminal instead of drawing a code that cannot
  be scanned. :func:`cells_needed` gives that size up front.

The area is the one given to the code alone; the caller keeps its own rows
and columns for the amount and instructions. Measured (byte mode, cols × rows
with the standard quiet zone; "minimum" is L with the narrow one):

===========================  ========  ========  =======  =======  =======  ===============
link                         H         Q         M        L        minimum  in 80 × 24
===========================  ========  ========  =======  =======  =======  ===============
sandbox, 72 chars (token)    57 × 29   49 × 25   45 × 23  41 × 21  37 × 19  M, 45 × 23
sandbox padded to 120 chars  65 × 33   61 × 31   53 × 27  49 × 25  45 × 23  L qz 2, 45 × 23
Stripe Checkout, 350 chars   105 × 53  93 × 47   81 × 41  73 × 37  69 × 35  too large
Stripe Checkout, 420 chars   113 × 57  101 × 51  89 × 45  77 × 39  73 × 37  too large
Stripe Checkout, 450 chars   117 × 59  105 × 53  89 × 45  81 × 41  77 × 39  too large
===========================  ========  ========  =======  =======  =======  ===============

So at 80×24 the QR screen gives the code the full height and puts its text
beside it (80 − 45 = 35 columns are free); an unpadded sandbox link also fits
80×21 (L) with three rows of text below. Stripe links need a terminal of about
80×40 (L) or 90×45 (M), or a smaller font.

This module imports no Textual: the TUI widget and the ``links qr`` command
both draw from :func:`render_half_blocks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import qrcode
from qrcode.constants import (
    ERROR_CORRECT_H,
    ERROR_CORRECT_L,
    ERROR_CORRECT_M,
    ERROR_CORRECT_Q,
)
from qrcode.exceptions import DataOverflowError

from deskpay.domain.errors import DeskpayError

STANDARD_QUIET_ZONE = 4
"""The light margin, in modules, that the QR specification asks for."""

MINIMUM_QUIET_ZONE = 2
"""The narrowest light margin used when the standard one does not fit."""

_LEVELS = {"H": ERROR_CORRECT_H, "Q": ERROR_CORRECT_Q, "M": ERROR_CORRECT_M, "L": ERROR_CORRECT_L}
_PREFERRED_LEVEL = "M"  # when the area is unknown: sturdy without growing much

# Each character stands for two modules, the upper and the lower one. The
# "ink" is the part of the glyph painted in the foreground colour.
EMPTY, UPPER, LOWER, FULL = " ", "▀", "▄", "█"


class QrTooLarge(DeskpayError):
    """No QR code of the link fits the area it would be drawn in.

    ``needed`` is the smallest (cols, rows) that holds it, or ``None`` when the
    link is longer than any QR code can carry.
    """

    def __init__(self, *, needed: tuple[int, int] | None, available: tuple[int, int] | None = None) -> None:
        self.needed = needed
        self.available = available
        if needed is None:
            super().__init__("qr.too_long")
        else:
            have_cols, have_rows = available if available is not None else (0, 0)
            super().__init__("qr.too_large", cols=needed[0], rows=needed[1], have_cols=have_cols, have_rows=have_rows)


@dataclass(frozen=True, slots=True)
class QrCode:
    """A QR code as a square of modules, quiet zone included (``True`` is dark)."""

    modules: tuple[tuple[bool, ...], ...]
    """Rows of modules from the top, each from the left; the light margin is part of it."""
    error_correction: str
    """The error-correction level: ``"L"``, ``"M"``, ``"Q"`` or ``"H"``."""
    version: int
    """The QR version (1–40); the code proper is ``17 + 4 × version`` modules a side."""
    quiet_zone: int
    """Width of the light margin in modules, on every side."""

    @property
    def size(self) -> int:
        """Modules per side, quiet zone included."""
        return len(self.modules)

    @property
    def cells(self) -> tuple[int, int]:
        """Terminal (cols, rows) taken by :func:`render_half_blocks`."""
        return _cells(self.size)


def _cells(size: int) -> tuple[int, int]:
    return size, (size + 1) // 2


def _fits(size: int, area: tuple[int, int]) -> bool:
    cols, rows = _cells(size)
    return cols <= area[0] and rows <= area[1]


@lru_cache(maxsize=64)
def _version(data: str, level: str) -> int | None:
    """The smallest version holding ``data`` at ``level``, or ``None`` when even version 40 is too small."""
    code = qrcode.QRCode(error_correction=_LEVELS[level], border=0)
    code.add_data(data)
    try:
        version: int = code.best_fit()
        return version
    except (DataOverflowError, ValueError):
        # qrcode 8.2 trips on its own "version 41" (ValueError) before raising DataOverflowError.
        return None


def _side(version: int, quiet_zone: int) -> int:
    return 17 + 4 * version + 2 * quiet_zone


@lru_cache(maxsize=16)
def _build(data: str, level: str, quiet_zone: int) -> QrCode:
    code = qrcode.QRCode(error_correction=_LEVELS[level], border=quiet_zone)
    code.add_data(data)
    code.make(fit=True)
    modules = tuple(tuple(bool(m) for m in row) for row in code.get_matrix())
    return QrCode(modules=modules, error_correction=level, version=code.version, quiet_zone=quiet_zone)


def make_qr(data: str, *, max_cells: tuple[int, int] | None = None) -> QrCode:
    """The sturdiest QR code of ``data`` that fits ``max_cells`` (cols, rows) drawn in half blocks.

    With no area, error correction M (L for links too long for M) and the
    standard quiet zone. Raises :class:`QrTooLarge` when nothing fits or the
    data exceeds any QR code.
    """
    needed = cells_needed(data)
    if max_cells is None:
        level = _PREFERRED_LEVEL if _version(data, _PREFERRED_LEVEL) is not None else "L"
        return _build(data, level, STANDARD_QUIET_ZONE)
    for quiet_zone in (STANDARD_QUIET_ZONE, MINIMUM_QUIET_ZONE):
        for level in _LEVELS:
            version = _version(data, level)
            if version is not None and _fits(_side(version, quiet_zone), max_cells):
                return _build(data, level, quiet_zone)
    raise QrTooLarge(needed=needed, available=max_cells)


def cells_needed(data: str) -> tuple[int, int]:
    """The smallest (cols, rows) in which :func:`make_qr` can draw ``data``: level L, narrow quiet zone."""
    version = _version(data, "L")
    if version is None:
        raise QrTooLarge(needed=None)
    return _cells(_side(version, MINIMUM_QUIET_ZONE))


def render_half_blocks(qr: QrCode, *, dark_on_light: bool = True) -> list[str]:
    """The code as lines of `` ``, ``▀``, ``▄`` and ``█``, two module rows per line.

    The glyphs' ink (foreground) stands for the dark modules when
    ``dark_on_light`` is true: draw the lines dark on light, as the TUI does
    with explicit black-on-white colours. With ``dark_on_light=False`` the ink
    stands for the light modules, for plain output on a terminal whose text is
    light on a dark background; either way the customer sees dark modules on
    a light ground. The last line's lower half, below the code, is light.
    """
    ink_is = dark_on_light  # the module value drawn as ink
    rows = list(qr.modules)
    if len(rows) % 2:
        rows.append((False,) * qr.size)  # more quiet zone
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2], strict=True):
        chars = []
        for upper, lower in zip(top, bottom, strict=True):
            upper_ink, lower_ink = upper == ink_is, lower == ink_is
            chars.append(FULL if upper_ink and lower_ink else UPPER if upper_ink else LOWER if lower_ink else EMPTY)
        lines.append("".join(chars))
    return lines
