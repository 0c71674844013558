"""Bookings, customers, activities, confirmations, and the fields people type."""

from __future__ import annotations

from deskpay.domain.i18n import T

ENTRIES: dict[str, T] = {
    "activity.not_found": T(fr="Aucune activité « {name} ».", en="No activity “{name}”."),
    "booking.bad_language": T(fr="La langue doit être fr ou en.", en="Language must be fr or en."),
    "booking.cancelled": T(fr="La réservation {reference} est annulée.", en="Booking {reference} is cancelled."),
    "booking.not_found": T(fr="Aucune réservation « {reference} ».", en="No booking “{reference}”."),
    "booking.participants": T(
        fr="Participants : entre 1 et {max} pour {activity}.",
        en="Participants: between 1 and {max} for {activity}.",
    ),
    "booking.start_range": T(
        fr="La date de début doit être à moins de deux ans d'aujourd'hui.",
        en="The start date must be within two years from today.",
    ),
    "booking.status.cancelled": T(fr="annulée", en="cancelled"),
    "booking.status.confirmed": T(fr="confirmée", en="confirmed"),
    "booking.total_below_paid": T(
        fr="Le nouveau total {total} est inférieur à ce qui a déjà été payé ({paid}).",
        en="The new total {total} is below what was already paid ({paid}).",
    ),
    "confirmation.bad_mode": T(
        fr="Mode de confirmation « {mode} » inconnu : deposit, full ou none.",
        en="Unknown confirmation mode “{mode}”: use deposit, full or none.",
    ),
    "confirmation.no_email": T(
        fr="{name} n'a pas d'adresse email : ajoutez-en une au client pour envoyer la confirmation.",
        en="{name} has no email address: add one to the client to send the confirmation.",
    ),
    "customer.not_found": T(fr="Aucun client n°{id}.", en="No customer #{id}."),
    "date.bad_day": T(
        fr="« {text} » n'est pas une date : jj/mm/aaaa, jj/mm ou aaaa-mm-jj.",
        en="“{text}” is not a date: dd/mm/yyyy, dd/mm or yyyy-mm-dd.",
    ),
    "date.bad_moment": T(
        fr="« {text} » n'est pas une date et heure : utilisez AAAA-MM-JJTHH:MM (heure locale) ou ISO 8601 avec décalage.",
        en="“{text}” is not a date and time: use YYYY-MM-DDTHH:MM (local time) or ISO 8601 with an offset.",
    ),
    "date.bad_time": T(fr="« {text} » n'est pas une heure : écrivez HH:MM.", en="“{text}” is not a time: write HH:MM."),
    "demo.real_data": T(
        fr="Cette base contient de vraies réservations : la démo les effacerait. Chargez la démo ailleurs (DESKPAY_DATA_DIR=/tmp/deskpay-demo deskpay demo).",
        en="This database holds real bookings: the demo would erase them. Load the demo elsewhere (DESKPAY_DATA_DIR=/tmp/deskpay-demo deskpay demo).",
    ),
    "field.label": T(fr="Le libellé", en="Label"),
    "field.message": T(fr="Le message", en="Message"),
    "field.name": T(fr="Le nom", en="Name"),
    "field.notes": T(fr="Les notes", en="Notes"),
    "field.phone": T(fr="Le téléphone", en="Phone"),
    "field.subject": T(fr="L'objet", en="Subject"),
    "phone.invalid": T(
        fr="« {phone} » n'est pas un numéro de téléphone (chiffres, espaces, +, - et points ; 6 à 20 chiffres).",
        en="“{phone}” is not a phone number (digits, spaces, +, - and dots; 6 to 20 digits).",
    ),
    "text.control_chars": T(
        fr="{field} contient des caractères de contrôle invisibles.",
        en="{field} contains invisible control characters.",
    ),
    "text.required": T(fr="{field} est obligatoire.", en="{field} is required."),
    "text.too_long": T(
        fr="{field} est trop long (au plus {max} caractères).",
        en="{field} is too long (at most {max} characters).",
    ),
}
