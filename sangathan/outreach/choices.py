"""Names the outreach modules share without importing one another (the services never import the forms)."""

# The fields of a message its author writes: the message form shows them, and the drafting and editing
# services accept no others.
EDITABLE_FIELDS = (
    "title",
    "body_hi",
    "body_en",
    "text_whatsapp",
    "text_x",
    "text_facebook",
    "text_telegram",
    "hashtags",
    "call_to_action",
    "priority",
    "media_url",
    "ack_within_hours",
    "expires_at",
)
