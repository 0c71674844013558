"""Emails: addresses, headers, rendering, delivery and the outbox."""

from __future__ import annotations

from deskpay.domain.i18n import T

ENTRIES: dict[str, T] = {
    "email.address_control": T(
        fr="L'adresse e-mail « {address} » contient un saut de ligne ou un caractère invisible ; saisissez-la à nouveau.",
        en="The email address “{address}” contains a line break or an invisible character; type it again.",
    ),
    "email.address_display_name": T(
        fr="Saisissez l'adresse e-mail seule, par ex. nom@exemple.fr, sans nom ni chevrons : « {address} ».",
        en="Type the email address alone, like name@example.com, without a name or angle brackets: “{address}”.",
    ),
    "email.address_empty": T(fr="Saisissez une adresse e-mail.", en="Enter an email address."),
    "email.address_invalid": T(
        fr="« {address} » n'est pas une adresse e-mail valide. Vérifiez-la (attendu : nom@exemple.fr).",
        en="“{address}” is not a valid email address. Check it for typos (expected: name@example.com).",
    ),
    "email.address_too_long": T(
        fr="L'adresse e-mail « {address} » est trop longue ({limit} caractères au plus).",
        en="The email address “{address}” is too long (at most {limit} characters).",
    ),
    "email.domain_invalid": T(
        fr="« {domain} » n'est pas un domaine de messagerie valide (attendu : par ex. exemple.fr).",
        en="“{domain}” is not a valid mail domain (expected something like example.com).",
    ),
    "email.header_control": T(
        fr="Le champ « {header} » de l'e-mail contient un saut de ligne ou un caractère de contrôle ; retirez-le.",
        en="The “{header}” of the email contains a line break or a control character; remove it.",
    ),
    "email.header_name_invalid": T(
        fr="« {header} » ne peut pas servir de nom d'en-tête d'e-mail.",
        en="“{header}” cannot be used as an email header name.",
    ),
    "email.header_reserved": T(
        fr="L'en-tête « {header} » est fixé par deskpay et ne peut pas être ajouté en plus.",
        en="The “{header}” header is set by deskpay itself and cannot be given as an extra header.",
    ),
    "email.header_too_long": T(
        fr="Le champ « {header} » de l'e-mail est trop long ({length} caractères, {limit} au plus).",
        en="The “{header}” of the email is too long ({length} characters, at most {limit}).",
    ),
    "email.kind.balance_request": T(fr="demande de solde", en="balance request"),
    "email.kind.confirmation": T(fr="confirmation de réservation", en="booking confirmation"),
    "email.kind.payment_link": T(fr="lien de paiement", en="payment link"),
    "email.kind.receipt": T(fr="reçu", en="receipt"),
    "email.kind.split_share": T(fr="part d'un paiement partagé", en="share of a split payment"),
    "email.kind.tickets": T(fr="billets", en="tickets"),
    "email.link_url_invalid": T(
        fr="Le lien de paiement « {url} » n'est pas une adresse web (il doit commencer par https://).",
        en="The payment link “{url}” is not a web address (it must start with https://).",
    ),
    "email.message_id_invalid": T(
        fr="« {message_id} » n'est pas un Message-ID valide (attendu : <unique@domaine>).",
        en="“{message_id}” is not a valid Message-ID (expected <unique@domain>).",
    ),
    "email.no_recipient": T(
        fr="Aucune adresse email à qui envoyer : saisissez-en une.",
        en="No email address to send to: type one.",
    ),
    "email.subject_too_long": T(
        fr="L'objet de l'e-mail est trop long ({length} caractères, {limit} au plus).",
        en="The email subject is too long ({length} characters, at most {limit}).",
    ),
    "email.unknown_kind": T(
        fr="Il n'existe pas de modèle d'e-mail « {kind} » (modèles connus : {known}).",
        en="There is no email template of kind “{kind}” (known kinds: {known}).",
    ),
    "email.unknown_language": T(
        fr="Les e-mails ne peuvent pas encore être rédigés en « {lang} » (langues disponibles : {known}).",
        en="Emails cannot be written in “{lang}” yet (available: {known}).",
    ),
    "outbox.bad_limit": T(
        fr="Le nombre d'e-mails à lister doit être compris entre 1 et {limit}.",
        en="The number of emails to list must be between 1 and {limit}.",
    ),
    "outbox.bad_status": T(
        fr="Statut d'e-mail « {status} » inconnu : queued, sending, sent ou failed.",
        en="Unknown email status “{status}”: use queued, sending, sent or failed.",
    ),
    "outbox.not_found": T(
        fr="Il n'y a pas d'e-mail numéro {id} dans la file d'envoi.",
        en="There is no email number {id} in the outbox.",
    ),
    "outbox.retry_pending": T(
        fr="L'e-mail {id} est encore en attente d'envoi ; seul un e-mail en échec peut être renvoyé.",
        en="Email {id} is still waiting to be sent; only a failed email can be retried.",
    ),
    "outbox.retry_sending": T(
        fr="L'e-mail {id} est en cours d'envoi ; seul un e-mail en échec peut être renvoyé.",
        en="Email {id} is being sent right now; only a failed email can be retried.",
    ),
    "outbox.retry_sent": T(
        fr="L'e-mail {id} a déjà été envoyé à {to} ; il n'y a rien à renvoyer.",
        en="Email {id} was already sent to {to}; there is nothing to retry.",
    ),
    "smtp.bad_url": T(
        fr="L'adresse du serveur de messagerie « {url} » n'est pas valide : {reason}. Attendu : smtp://hôte:25, smtp+starttls://utilisateur@hôte:587 ou smtps://utilisateur@hôte:465.",
        en="The mail server address “{url}” is not valid: {reason}. Expected smtp://host:25, smtp+starttls://user@host:587 or smtps://user@host:465.",
    ),
}
