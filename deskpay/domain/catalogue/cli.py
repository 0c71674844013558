"""What the command line says that no service says for it."""

from __future__ import annotations

from deskpay.domain.i18n import T

ENTRIES: dict[str, T] = {
    "cli.message_file": T(
        fr="Impossible de lire le fichier de message {path} : {reason}",
        en="Cannot read the message file {path}: {reason}",
    ),
    "cli.sandbox.already_paid": T(
        fr="#{id} : déjà payé ({reference}, paiement n°{payment})",
        en="#{id}: already paid ({reference}, payment #{payment})",
    ),
    "cli.sandbox.fully_paid": T(fr="soldée", en="fully paid"),
    "cli.sandbox.overpaid": T(fr="trop-perçu : {amount}", en="overpaid: {amount}"),
    "cli.sandbox.paid": T(fr="#{id} : payé — {reference} {state}", en="#{id}: paid — {reference} {state}"),
    "cli.sheet.balance": T(fr="Solde", en="Balance"),
    "cli.sheet.client": T(fr="Client", en="Client"),
    "cli.sheet.history": T(fr="Historique", en="History"),
    "cli.sheet.links": T(fr="Liens", en="Links"),
    "cli.sheet.paid": T(fr="Payé", en="Paid"),
    "cli.sheet.payment": T(fr="Paiement", en="Payment"),
    "cli.sheet.payments": T(fr="Paiements", en="Payments"),
    "cli.sheet.pending": T(fr="En attente (liens)", en="Pending (links)"),
    "cli.sheet.total": T(fr="Total", en="Total"),
    "cli.split_args": T(
        fr="Indiquez soit --parts N (avec --amount facultatif), soit --amounts A,B,...",
        en="Give either --parts N (with an optional --amount) or --amounts A,B,...",
    ),
    "cli.terms_args": T(
        fr="Indiquez exactement une option parmi --full, --deposit-percent N, --deposit-fixed MONTANT ou --default.",
        en="Give exactly one of --full, --deposit-percent N, --deposit-fixed AMOUNT or --default.",
    ),
}
