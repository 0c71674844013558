"""Amounts, currencies, splits and payment terms."""

from __future__ import annotations

from deskpay.domain.i18n import T

ENTRIES: dict[str, T] = {
    "amount.above_ceiling": T(
        fr="Le montant dépasse la limite de {ceiling}.",
        en="The amount is above the limit of {ceiling}.",
    ),
    "amount.ambiguous": T(
        fr="« {text} » est ambigu : écrivez {plain} ou indiquez deux décimales.",
        en="“{text}” is ambiguous: write {plain} or use two decimals.",
    ),
    "amount.currency_mismatch": T(
        fr="Impossible de combiner des montants en {a} et en {b}.",
        en="Cannot combine {a} and {b} amounts.",
    ),
    "amount.empty": T(fr="Saisissez un montant.", en="Enter an amount."),
    "amount.negative": T(fr="Le montant ne peut pas être négatif.", en="The amount cannot be negative."),
    "amount.not_a_number": T(
        fr="« {text} » n'est pas un montant. Saisissez des chiffres, par ex. 12,50.",
        en="“{text}” is not an amount. Type digits, e.g. 12.50 or 12,50.",
    ),
    "amount.too_long": T(fr="Ce montant est trop long.", en="That amount is too long."),
    "amount.too_many_decimals": T(
        fr="Les montants en {currency} ont au plus {digits} décimale(s).",
        en="{currency} amounts have at most {digits} decimal(s).",
    ),
    "amount.wrong_currency": T(
        fr="Ce montant est en {given} ; cette réservation est en {currency}.",
        en="That amount is in {given}; this booking is in {currency}.",
    ),
    "amount.zero": T(fr="Le montant doit être supérieur à zéro.", en="The amount must be more than zero."),
    "currency.unknown": T(fr="Devise inconnue « {code} ».", en="Unknown currency “{code}”."),
    "split.bad_share": T(fr="Part {index} : {reason}", en="Share {index}: {reason}"),
    "split.bad_count": T(fr="Divisez en 1 à {max} liens.", en="Split into 1 to {max} links."),
    "split.emails_count": T(
        fr="{given} email(s) pour {parts} part(s) : une par part, ou aucune.",
        en="{given} email(s) for {parts} share(s): give one per share, or none.",
    ),
    "split.labels_count": T(
        fr="{given} libellé(s) pour {parts} part(s) : un par part, ou aucun.",
        en="{given} label(s) for {parts} share(s): give one per share, or none.",
    ),
    "split.no_shares": T(fr="Indiquez au moins un montant.", en="Give at least one amount."),
    "split.over_requestable": T(
        fr="Les parts totalisent {total}, plus que les {requestable} encore demandables.",
        en="The shares add up to {total}, more than the {requestable} that can still be requested.",
    ),
    "split.zero_share": T(
        fr="La part {index} serait nulle : moins de parts ou un montant plus élevé.",
        en="Share {index} would be zero: fewer shares or a larger amount.",
    ),
    "terms.bad_kind": T(
        fr="Conditions de paiement « {kind} » inconnues : full, deposit_percent ou deposit_fixed.",
        en="Unknown payment terms “{kind}”: use full, deposit_percent or deposit_fixed.",
    ),
    "terms.bad_percent": T(
        fr="Un pourcentage d'acompte est compris entre 1 et 100.",
        en="A deposit percentage is between 1 and 100.",
    ),
}
