"""The sandbox checkout page the customer sees."""

from __future__ import annotations

from deskpay.domain.i18n import T

ENTRIES: dict[str, T] = {
    "checkout.amount": T(fr="Montant", en="Amount"),
    "checkout.back": T(fr="Revenir au paiement", en="Back to the payment"),
    "checkout.booking": T(fr="Réservation", en="Booking"),
    "checkout.cancelled_text": T(
        fr="Ce lien de paiement a été annulé. Adressez-vous à l'accueil.",
        en="This payment link was cancelled. Please ask the front desk.",
    ),
    "checkout.cancelled_title": T(fr="Lien annulé", en="Link cancelled"),
    "checkout.decline": T(fr="Refuser", en="Decline"),
    "checkout.declined_text": T(
        fr="La carte de test a été refusée : rien n'a été débité. Vous pouvez réessayer.",
        en="The test card was declined: nothing was charged. You can try again.",
    ),
    "checkout.declined_title": T(fr="Paiement refusé", en="Payment declined"),
    "checkout.expired_text": T(
        fr="Ce lien de paiement a expiré. Demandez-en un nouveau à l'accueil.",
        en="This payment link has expired. Ask the front desk for a new one.",
    ),
    "checkout.expired_title": T(fr="Lien expiré", en="Link expired"),
    "checkout.expires": T(fr="Valable jusqu'au", en="Valid until"),
    "checkout.failed_text": T(
        fr="Ce lien de paiement n'est pas utilisable. Adressez-vous à l'accueil.",
        en="This payment link cannot be used. Please ask the front desk.",
    ),
    "checkout.failed_title": T(fr="Lien indisponible", en="Link unavailable"),
    "checkout.label": T(fr="Objet", en="For"),
    "checkout.not_found_text": T(fr="Ce lien de paiement n'existe pas.", en="This payment link does not exist."),
    "checkout.not_found_title": T(fr="Lien inconnu", en="Unknown link"),
    "checkout.paid_text": T(
        fr="Merci ! Votre paiement de {amount} a bien été enregistré.",
        en="Thank you! Your payment of {amount} has been recorded.",
    ),
    "checkout.paid_title": T(fr="Paiement reçu", en="Payment received"),
    "checkout.pay": T(fr="Payer avec la carte de test", en="Pay with test card"),
    "checkout.stale": T(
        fr="Cette page avait expiré : vérifiez le montant et validez à nouveau.",
        en="This page had expired: check the amount and confirm again.",
    ),
    "checkout.test_mode": T(fr="Mode test — aucun argent réel n'est débité.", en="Test mode — no real money is taken."),
    "checkout.title": T(fr="Paiement", en="Payment"),
}
