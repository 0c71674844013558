"""Collecting money: desk payments, methods, refunds, the sandbox checkout."""

from __future__ import annotations

from deskpay.domain.i18n import T

ENTRIES: dict[str, T] = {
    "collect.bad_mode": T(
        fr="Mode « {mode} » inconnu : online, card, cash, transfer ou voucher.",
        en="Unknown mode “{mode}”: use online, card, cash, transfer or voucher.",
    ),
    "collect.over_balance": T(
        fr="{asked} dépasse les {requestable} encaissables maintenant.",
        en="{asked} is more than the {requestable} that can be collected now.",
    ),
    "collect.over_balance_pending": T(
        fr="{asked} dépasse les {requestable} encaissables maintenant : {pending} attend dans des liens ouverts — annulez-en un d'abord.",
        en="{asked} is more than the {requestable} that can be collected now: {pending} is waiting in open links — cancel one first.",
    ),
    "method.card": T(fr="carte bancaire (TPE)", en="card (terminal)"),
    "method.cash": T(fr="espèces", en="cash"),
    "method.online": T(fr="paiement en ligne", en="online payment"),
    "method.transfer": T(fr="virement", en="bank transfer"),
    "method.voucher": T(fr="bon cadeau", en="gift voucher"),
    "payment.currency_mismatch": T(
        fr="Le paiement {reference} est arrivé en {given} mais la réservation {booking} est en {currency} : non enregistré, vérifiez-le chez le prestataire.",
        en="Payment {reference} arrived in {given} but booking {booking} is in {currency}: not recorded, check it with the provider.",
    ),
    "payment.not_found": T(fr="Aucun paiement n°{id}.", en="No payment #{id}."),
    "payment.online_not_deletable": T(
        fr="Le paiement n°{id} a été reçu en ligne : enregistrez un remboursement plutôt que de le supprimer.",
        en="Payment #{id} was received online: record a refund instead of deleting it.",
    ),
    "payment.reason_required": T(
        fr="Indiquez pourquoi le paiement est supprimé (--reason).",
        en="Say why the payment is deleted (--reason).",
    ),
    "refund.over_paid": T(
        fr="Un remboursement de {asked} dépasse les {paid} payés sur cette réservation.",
        en="A refund of {asked} is more than the {paid} paid on this booking.",
    ),
    "sandbox.not_sandbox_link": T(
        fr="Le lien n°{id} dépend de {provider}, pas du bac à sable : il se paie sur sa propre page.",
        en="Link #{id} belongs to {provider}, not to the sandbox: it is paid on its own checkout page.",
    ),
}
