"""Writes of the message cascade. Each public function is one transaction (``chunk_process`` two: the
deliveries, then the notifications) and takes the acting user as ``by``.

How a send works and why nothing is lost or doubled (docs/adr/0004-message-cascade.md):

1. ``message_send`` marks the message sending, stamps ``sent_at`` (time zero for time-to-acknowledge) and
   writes one ``SendChunk`` per child of the message's unit; a task per chunk is queued after the commit.
2. ``chunk_process`` claims its chunk (pending → written) in the same transaction as one INSERT … SELECT of
   the chunk's deliveries from the unit table and the set-based INSERT of its roll-up rows: all or nothing.
   Then, in a second transaction, it writes the notifications to the key office-bearers into the outbox
   in bulk, each with an idempotency key (message, unit, person, channel), and marks the chunk done.
3. A worker that dies leaves its chunk pending (its transaction rolled back) or written (the outbox insert
   skips keys already there). ``message_send`` on a sending message, the periodic ``outreach_sweep`` (every
   minute, chunks idle for ``SANGATHAN_IDLE_SECONDS``) or the operator's ``message_resume`` queues again
   every chunk that is not done.

The modules
    ``settings``   how long links live, when to remind and escalate, the public address
    ``tokens``     the recipient's signed link
    ``drafting``   ``message_create``, ``message_update``
    ``approval``   four eyes: ``four_eyes_required``, ``approval_rule_set``, submit, approve, return
    ``cascade``    ``message_send``, the chunks (``chunk_process`` = ``chunk_write`` + ``chunk_notify``), the sweep
    ``notify``     the outbox messages to many units' key office-bearers at once
    ``drives``     ``trend_drive_create``: a hashtag campaign over a message (issue 13)
    ``answers``    ``delivery_respond``: opened, received, shared, cannot share
    ``reminders``  ``reminders_send``: reminders and escalation
Raw SQL is in ``outreach.sql``, the folding of the answers into the roll-ups in ``outreach.rollups`` (the
selectors fold before they read), the reads in ``outreach.selectors``; all are importable from here as
before.
"""

from sangathan.outreach.rollups import rollups_fold
from sangathan.outreach.selectors import (
    deliveries_in,
    key_office_bearers,
    key_office_bearers_of,
    max_depth,
    target_level_ids,
)
from sangathan.outreach.services.answers import Action, delivery_respond
from sangathan.outreach.services.approval import (
    approval_rule_set,
    four_eyes_required,
    message_approve,
    message_return,
    message_submit,
)
from sangathan.outreach.services.cascade import (
    chunk_notify,
    chunk_process,
    chunk_write,
    materialise,
    message_finish_if_done,
    message_resume,
    message_run_inline,
    message_send,
    message_stalled,
    outreach_sweep,
)
from sangathan.outreach.services.drafting import message_create, message_update
from sangathan.outreach.services.drives import drive_levels, hashtag_clean, trend_drive_create
from sangathan.outreach.services.notify import NOTIFY_BATCH, message_context, notify_bulk
from sangathan.outreach.services.reminders import reminders_send
from sangathan.outreach.services.settings import escalate_after, link_max_age, public_base_url, remind_after
from sangathan.outreach.services.tokens import TOKEN_SALT, delivery_from_token, delivery_link, delivery_token
from sangathan.outreach.sql import DELIVERY_STATE, ROLLUP_COUNTERS, deltas_by_trigger

__all__ = [
    "DELIVERY_STATE",
    "NOTIFY_BATCH",
    "ROLLUP_COUNTERS",
    "TOKEN_SALT",
    "Action",
    "approval_rule_set",
    "chunk_notify",
    "chunk_process",
    "chunk_write",
    "deliveries_in",
    "delivery_from_token",
    "delivery_link",
    "delivery_respond",
    "delivery_token",
    "deltas_by_trigger",
    "drive_levels",
    "escalate_after",
    "four_eyes_required",
    "hashtag_clean",
    "key_office_bearers",
    "key_office_bearers_of",
    "link_max_age",
    "materialise",
    "max_depth",
    "message_approve",
    "message_context",
    "message_create",
    "message_finish_if_done",
    "message_return",
    "message_run_inline",
    "message_send",
    "message_submit",
    "message_update",
    "notify_bulk",
    "message_resume",
    "message_stalled",
    "outreach_sweep",
    "public_base_url",
    "remind_after",
    "reminders_send",
    "rollups_fold",
    "target_level_ids",
    "trend_drive_create",
]
