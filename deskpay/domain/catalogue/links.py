"""Payment links: their states, labels, and what can be done with them."""

from __future__ import annotations

from deskpay.domain.i18n import T

ENTRIES: dict[str, T] = {
    "link.bad_transition": T(
        fr="Ce lien est {current} ; il ne peut pas devenir {target}.",
        en="This link is {current}; it cannot become {target}.",
    ),
    "link.bad_validity": T(
        fr="Un lien reste valable entre 30 minutes et 24 heures.",
        en="A link stays valid between 30 minutes and 24 hours.",
    ),
    "link.cannot_regenerate": T(
        fr="Le lien n°{id} est {status} : seul un lien expiré, annulé ou en échec peut être régénéré.",
        en="Link #{id} is {status}: only an expired, cancelled or failed link can be regenerated.",
    ),
    "link.label.balance": T(fr="Solde", en="Balance"),
    "link.label.deposit": T(fr="Acompte", en="Deposit"),
    "link.label.full": T(fr="Réservation", en="Booking"),
    "link.label.participant": T(fr="Participant {index}", en="Participant {index}"),
    "link.not_found": T(fr="Aucun lien de paiement n°{id}.", en="No payment link #{id}."),
    "link.not_open": T(
        fr="Le lien n°{id} est {status} : seul un lien ouvert peut être envoyé ou affiché.",
        en="Link #{id} is {status}: only an open link can be sent or shown.",
    ),
    "link.not_payable": T(
        fr="Le lien n°{id} est {status} : il ne peut plus être payé.",
        en="Link #{id} is {status}: it can no longer be paid.",
    ),
    "link.not_ready": T(
        fr="Le lien n°{id} est en cours de création ; réessayez dans un instant.",
        en="Link #{id} is still being created; try again in a moment.",
    ),
    "link.status.cancelled": T(fr="annulé", en="cancelled"),
    "link.status.expired": T(fr="expiré", en="expired"),
    "link.status.failed": T(fr="en échec", en="failed"),
    "link.status.open": T(fr="ouvert", en="open"),
    "link.status.paid": T(fr="payé", en="paid"),
    "links.bad_status": T(
        fr="Statut « {status} » inconnu : open, paid, expired, cancelled ou failed.",
        en="Unknown status “{status}”: open, paid, expired, cancelled or failed.",
    ),
    "links.nothing_to_request": T(
        fr="Plus rien à demander sur cette réservation.",
        en="Nothing left to request on this booking.",
    ),
    "links.over_requestable": T(
        fr="{asked} dépasse ce qui peut encore être demandé ({requestable} ; {pending} déjà en liens ouverts).",
        en="{asked} is more than can still be requested ({requestable}; {pending} already in open links).",
    ),
    "provider.unexpected": T(
        fr="Le prestataire de paiement a échoué de façon inattendue ({kind}) ; rien n'a été débité. Réessayez.",
        en="The payment provider failed unexpectedly ({kind}); nothing was charged. Retry.",
    ),
    "qr.too_large": T(
        fr="Le QR code demande un terminal d'au moins {cols}×{rows} caractères (celui-ci en a {have_cols}×{have_rows}). Agrandissez la fenêtre ou réduisez la police.",
        en="The QR code needs a terminal of at least {cols}×{rows} characters (this one has {have_cols}×{have_rows}). Enlarge the window or reduce the font size.",
    ),
    "qr.too_long": T(
        fr="Ce lien est trop long pour tenir dans un QR code.",
        en="This link is too long to fit in a QR code.",
    ),
}
