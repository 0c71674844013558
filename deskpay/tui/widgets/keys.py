"""Key bindings in the operator's language.

Bindings are declared once per class with an ``id`` (so a keymap can remap
them) and an English description; :func:`localize_bindings` rewrites the
descriptions of one node's bindings from a ``Labels`` table keyed by binding
id, when the node is created and the language is known.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from deskpay.tui.i18n import Labels


def localize_bindings(node: DOMNode, labels: Labels, lang: str) -> None:
    """Give ``node``'s bindings the description (and tooltip) of their id in ``labels``.

    Bindings without an id, or whose id is not in ``labels``, keep their text.
    """
    known = set(labels.keys())
    translated: dict[str, list[Binding]] = {}
    for key, bindings in node._bindings.key_to_bindings.items():
        translated[key] = [
            replace(binding, description=labels(binding.id, lang), tooltip=labels(binding.id, lang))
            if binding.id in known else binding
            for binding in bindings
        ]
    node._bindings = BindingsMap.from_keys(translated)


def key_display(app, binding: Binding) -> str:
    """How the footer would write the key of ``binding`` (``?``, ``^p``, ``enter``)."""
    if binding.key_display:
        return binding.key_display
    return app.get_key_display(binding)
