"""The payment providers (Stripe) and what their failures mean for the operator."""

from __future__ import annotations

from deskpay.domain.i18n import T

ENTRIES: dict[str, T] = {
    "stripe.already_paid": T(
        fr="Ce lien a déjà été payé sur Stripe ({provider_id}) : il ne peut pas être annulé ; remboursez le paiement.",
        en="This link was already paid on Stripe ({provider_id}): it cannot be cancelled; refund the payment instead.",
    ),
    "stripe.auth_refused": T(
        fr="Stripe a refusé la clé API : vérifiez STRIPE_API_KEY.",
        en="Stripe refused the API key: check STRIPE_API_KEY.",
    ),
    "stripe.idempotency_conflict": T(
        fr="Stripe a déjà reçu une autre demande pour ce lien : annulez-le et créez un nouveau lien.",
        en="Stripe already received a different request for this link: cancel it and create a new link.",
    ),
    "stripe.invalid_request": T(fr="Stripe a refusé la demande : {detail}", en="Stripe refused the request: {detail}"),
    "stripe.key_malformed": T(
        fr="STRIPE_API_KEY n'est pas une clé secrète Stripe : elle doit commencer par sk_test_, sk_live_, rk_test_ ou rk_live_.",
        en="STRIPE_API_KEY is not a Stripe secret key: it must start with sk_test_, sk_live_, rk_test_ or rk_live_.",
    ),
    "stripe.key_missing": T(
        fr="Aucune clé API Stripe : indiquez la clé secrète dans STRIPE_API_KEY.",
        en="No Stripe API key is set: put the secret key in STRIPE_API_KEY.",
    ),
    "stripe.key_publishable": T(
        fr="STRIPE_API_KEY contient une clé publiable (pk_…) : utilisez la clé secrète (sk_…) ou une clé restreinte (rk_…).",
        en="STRIPE_API_KEY holds a publishable key (pk_…): use the secret key (sk_…) or a restricted key (rk_…).",
    ),
    "stripe.no_key": T(
        fr="provider = stripe nécessite STRIPE_API_KEY dans l'environnement.",
        en="provider = stripe needs STRIPE_API_KEY in the environment.",
    ),
    "stripe.no_url": T(
        fr="Stripe a créé {provider_id} sans adresse de page de paiement : vérifiez les réglages Checkout du compte.",
        en="Stripe created {provider_id} without a payment page url: check the Checkout settings of the account.",
    ),
    "stripe.no_webhook_secret": T(
        fr="--listen reçoit les webhooks Stripe : indiquez le secret de signature de l'endpoint (whsec_…) dans STRIPE_WEBHOOK_SECRET.",
        en="--listen serves Stripe webhooks: put the endpoint's signing secret (whsec_…) in STRIPE_WEBHOOK_SECRET.",
    ),
    "stripe.not_found": T(
        fr="Stripe ne connaît pas le lien de paiement {provider_id} : a-t-il été créé avec un autre compte ou mode Stripe ?",
        en="Stripe does not know the payment link {provider_id}: was it created with another Stripe account or mode?",
    ),
    "stripe.payment_processing": T(
        fr="Le client a déjà réglé {provider_id} par un moyen qui met plusieurs jours à aboutir : il ne peut pas être annulé ; attendez le résultat.",
        en="The customer has already paid {provider_id} by a method that takes days to settle: it cannot be cancelled; wait for the outcome.",
    ),
    "stripe.permission": T(
        fr="La clé Stripe n'a pas le droit de gérer les sessions Checkout : donnez-lui l'accès en écriture à Checkout, ou utilisez la clé secrète.",
        en="The Stripe key may not manage Checkout Sessions: give the restricted key write access to Checkout, or use the secret key.",
    ),
    "stripe.rate_limited": T(
        fr="Stripe reçoit trop de requêtes : patientez une minute et réessayez.",
        en="Stripe is receiving too many requests: wait a minute and retry.",
    ),
    "stripe.server_error": T(
        fr="Stripe a rencontré une erreur interne : réessayez dans un instant (status.stripe.com signale les incidents).",
        en="Stripe had an internal error: retry in a moment (status.stripe.com shows incidents).",
    ),
    "stripe.unexpected": T(fr="Réponse inattendue de Stripe : {detail}", en="Stripe answered unexpectedly: {detail}"),
    "stripe.unreachable": T(
        fr="Impossible de joindre Stripe : vérifiez la connexion et réessayez.",
        en="Stripe could not be reached: check the connection and retry.",
    ),
}
