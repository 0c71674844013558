"""Activities: their prices, participants and payment terms."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from deskpay.domain.errors import InvalidInput, NotFound
from deskpay.domain.money import Money
from deskpay.domain.terms import ConfirmationMode, PaymentTerms
from deskpay.domain.text import escape_like
from deskpay.services.audit import audit
from deskpay.services.bookings.views import ActivityView, activity_view
from deskpay.services.desk import Desk
from deskpay.services.operators import require_manager
from deskpay.store.models import Activity


def list_activities(desk: Desk) -> list[ActivityView]:
    with desk.read() as session:
        return [
            activity_view(a)
            for a in session.execute(
                select(Activity).where(col(Activity.active)).order_by(col(Activity.name))
            ).scalars()
        ]


def find_activity(session: Session, activity: str | int) -> Activity:
    """An active activity by id, exact name, or a part of its name that matches only one."""
    if isinstance(activity, int):
        row: Activity | None = session.get(Activity, activity)
    else:
        name = activity.strip()
        row = session.execute(select(Activity).where(col(Activity.name) == name)).scalar_one_or_none()
        if row is None and name:
            pattern = f"%{escape_like(name[:100])}%"
            matches = (
                session.execute(
                    select(Activity).where(col(Activity.name).ilike(pattern, escape="\\"), col(Activity.active))
                )
                .scalars()
                .all()
            )
            row = matches[0] if len(matches) == 1 else None
    if row is None or not row.active:
        raise NotFound("activity.not_found", name=str(activity)[:80])
    return row


def unit_price(activity: Activity) -> Money:
    return Money(activity.unit_price_minor, activity.currency)


def check_participants(value: object, activity: Activity) -> int:
    if type(value) is not int or not 1 <= value <= activity.max_participants:
        raise InvalidInput("booking.participants", max=activity.max_participants, activity=activity.name)
    return value


def terms_for(desk: Desk, activity: Activity | ActivityView) -> PaymentTerms:
    """The activity's own terms, else the business's."""
    if activity.terms_kind:
        return PaymentTerms.stored(activity.terms_kind, activity.terms_percent, activity.terms_fixed_minor)
    return desk.settings.terms()


def default_mode(desk: Desk, activity: Activity | ActivityView) -> ConfirmationMode:
    return ConfirmationMode.DEPOSIT if terms_for(desk, activity).has_deposit else ConfirmationMode.FULL


def set_activity_terms(desk: Desk, activity_name: str, terms: PaymentTerms | None) -> None:
    """Change an activity's payment terms (None: use the business's)."""
    require_manager(desk, "change payment terms")
    now = desk.now()
    with desk.write() as session:
        activity = session.execute(
            select(Activity).where(col(Activity.name) == activity_name.strip())
        ).scalar_one_or_none()
        if activity is None:
            raise NotFound("activity.not_found", name=activity_name[:80])
        before = {"kind": activity.terms_kind, "percent": activity.terms_percent, "fixed": activity.terms_fixed_minor}
        activity.terms_kind = terms.kind if terms else None
        activity.terms_percent = terms.percent if terms else 0
        activity.terms_fixed_minor = terms.fixed_minor if terms else 0
        session.add(activity)
        audit(
            session,
            operator=desk.operator,
            action="activity.terms",
            now=now,
            activity=activity.name,
            before=before,
            after=terms.to_mapping(activity.currency) if terms else None,
        )
