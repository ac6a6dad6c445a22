"""What other apps do after an appointment is made or ended, called by org's services in their transaction.

``org`` is in the foundation layer and may not import the apps that react to its writes (``logins`` invites
a new office-bearer and takes their role away on relief). Those apps register a callback here from their
``AppConfig.ready``; the services call every registered callback, in the same transaction, so a callback
that fails rolls the appointment back with it (all or nothing) and nothing is written by a signal.

Callbacks take keyword arguments only:

* ``after_appointment(appointment=Appointment, by=User | None)``
* ``after_end(appointment_ids=list[int], by=User | None)`` — relieved, dissolved (one unit or a whole
  subtree) or ended with the term. Ids, not rows: a state's dissolution may end thousands at once.
* ``term_ending(appointment=Appointment, days_before=int)`` — the daily run's reminder, once per appointment
  and number of days (``org.terms``); ``logins`` queues the messages to the person and the parent unit's admins.
* ``unit_moving(unit=Unit)`` and ``unit_moved(unit=Unit)`` — before and after ``org.services.unit_move``
  moves a unit and its subtree, in its transaction: apps that keep counters up the ancestors (membership)
  take the subtree's numbers off the old ancestors and add them to the new; apps that copy a unit's path
  onto their rows (the control room's alerts) follow it.
"""

from collections.abc import Callable

_after_appointment: list[Callable[..., None]] = []
_after_end: list[Callable[..., None]] = []
_term_ending: list[Callable[..., None]] = []
_unit_moving: list[Callable[..., None]] = []
_unit_moved: list[Callable[..., None]] = []


def on_appointment(callback: Callable[..., None]) -> Callable[..., None]:
    """Register ``callback`` to run after every appointment (idempotent: registering twice keeps one)."""
    if callback not in _after_appointment:
        _after_appointment.append(callback)
    return callback


def on_end(callback: Callable[..., None]) -> Callable[..., None]:
    """Register ``callback`` to run after appointments end (relief, dissolution, end of term)."""
    if callback not in _after_end:
        _after_end.append(callback)
    return callback


def appointment_made(*, appointment, by) -> None:
    for callback in _after_appointment:
        callback(appointment=appointment, by=by)


def appointments_ended(*, appointment_ids: list[int], by) -> None:
    if not appointment_ids:
        return
    for callback in _after_end:
        callback(appointment_ids=list(appointment_ids), by=by)


def on_term_ending(callback: Callable[..., None]) -> Callable[..., None]:
    """Register ``callback`` to run when a term's end is near (the reminders)."""
    if callback not in _term_ending:
        _term_ending.append(callback)
    return callback


def term_ending(*, appointment, days_before: int) -> None:
    for callback in _term_ending:
        callback(appointment=appointment, days_before=days_before)


def on_unit_moving(callback: Callable[..., None]) -> Callable[..., None]:
    """Register ``callback`` to run before a unit moves (the old ancestors are still its ancestors)."""
    if callback not in _unit_moving:
        _unit_moving.append(callback)
    return callback


def on_unit_moved(callback: Callable[..., None]) -> Callable[..., None]:
    """Register ``callback`` to run after a unit moved (its path and its subtree's are the new ones)."""
    if callback not in _unit_moved:
        _unit_moved.append(callback)
    return callback


def unit_moving(*, unit) -> None:
    for callback in _unit_moving:
        callback(unit=unit)


def unit_moved(*, unit) -> None:
    for callback in _unit_moved:
        callback(unit=unit)
