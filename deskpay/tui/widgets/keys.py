"""Key bindings in the operator's language.

Bindings are declared once per class with an ``id`` (so a keymap can remap
them) and an English description; :func:`localize_bindings` gives one node's
bindings the catalogue's ``key.<binding id>`` text, when the node is created
and the language is known.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from deskpay.domain.i18n import has, text


def localize_bindings(node: DOMNode, lang: str) -> None:
    """Give ``node``'s bindings the description (and tooltip) of ``key.<id>`` in the catalogue.

    Bindings without an id, or whose id has no entry, keep their text.
    """
    translated: dict[str, list[Binding]] = {}
    for key, bindings in node._bindings.key_to_bindings.items():
        translated[key] = [
            replace(binding, description=text(f"key.{binding.id}", lang), tooltip=text(f"key.{binding.id}", lang))
            if binding.id is not None and has(f"key.{binding.id}") else binding
            for binding in bindings
        ]
    node._bindings = BindingsMap.from_keys(translated)


def key_display(app, binding: Binding) -> str:
    """How the footer would write the key of ``binding`` (``?``, ``^p``, ``enter``)."""
    if binding.key_display:
        return binding.key_display
    return app.get_key_display(binding)
