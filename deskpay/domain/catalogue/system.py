"""Configuration, operators and roles, the worker's HTTP servers."""

from __future__ import annotations

from deskpay.domain.i18n import T

ENTRIES: dict[str, T] = {
    "action.change_payment_terms": T(fr="modifier les conditions de paiement", en="change payment terms"),
    "action.delete_a_payment": T(fr="supprimer un paiement", en="delete a payment"),
    "action.manage_operators": T(fr="gérer les opérateurs", en="manage operators"),
    "action.record_a_refund": T(fr="enregistrer un remboursement", en="record a refund"),
    "config.bad_file": T(
        fr="Impossible de lire le fichier de configuration {path} : {reason}",
        en="Cannot read the configuration file {path}: {reason}",
    ),
    "config.secret_in_file": T(
        fr="{name} ne peut pas figurer dans {path} : mettez les secrets dans l'environnement ou un fichier de secrets lisible par vous seul.",
        en="{name} cannot be set in {path}: put secrets in the environment or in an owner-only secrets file.",
    ),
    "config.secrets_file_mode": T(
        fr="Le fichier de secrets {path} est lisible par d'autres : lancez chmod 600 {path}.",
        en="The secrets file {path} is readable by others: run chmod 600 {path}.",
    ),
    "operator.own_email": T(
        fr="{email} est votre propre adresse ({operator}) : un lien de paiement s'envoie au client.",
        en="{email} is your own address ({operator}): a payment link goes to the customer.",
    ),
    "role.first_is_manager": T(
        fr="Le premier opérateur enregistré doit être un responsable.",
        en="The first operator registered must be a manager.",
    ),
    "role.manager_only": T(
        fr="Seul un responsable peut {action} (vous êtes {operator}, équipe).",
        en="Only a manager can {action} (you are {operator}, staff).",
    ),
    "role.unknown": T(fr="Le rôle doit être manager ou staff.", en="Role must be manager or staff."),
    "web.bad_bind": T(
        fr="« {bind} » n'est pas de la forme HÔTE:PORT (par ex. 127.0.0.1:8766 ou 0.0.0.0:8766).",
        en="“{bind}” is not HOST:PORT (e.g. 127.0.0.1:8766 or 0.0.0.0:8766).",
    ),
    "web.cannot_listen": T(
        fr="{what} : impossible d'écouter sur {host}:{port} : {reason}",
        en="{what}: cannot listen on {host}:{port}: {reason}",
    ),
    "web.port_taken": T(
        fr="{what} : {host}:{port} est déjà utilisé (un autre worker deskpay ?). Arrêtez-le ou choisissez un autre port.",
        en="{what}: {host}:{port} is already in use (another deskpay worker?). Stop it or choose another port.",
    ),
}
