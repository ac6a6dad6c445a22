"""The privacy notice of the join page (DPDP Act 2023): what is kept, why, for how long, and the person's
rights. A change of the text gets a new ``NOTICE_VERSION``; each member keeps the version they agreed to
(``Member.notice``)."""

NOTICE_VERSION = 1
NOTICE_HI = (
    "हम आपका नाम, मोबाइल नंबर, वोटर आईडी (यदि आप दें), आयु, लिंग और बूथ केवल आपकी सदस्यता दर्ज करने, "
    "आपके मोबाइल नंबर की पुष्टि करने, सदस्यों की गिनती करने और संगठन के संदेश भेजने के लिए रखते हैं। "
    "आपका मोबाइल नंबर और पूरा नाम केवल आपकी इकाई के पदाधिकारी देख सकते हैं। सदस्यता की पुष्टि के बाद "
    'भेजे गए SMS की "यह मैं नहीं हूँ" कड़ी से, या अपनी इकाई से कहकर, आप कभी भी सदस्यता और अपनी सहमति '
    "वापस ले सकते हैं।"
)
NOTICE_EN = (
    "We keep your name, mobile number, voter ID (if you give it), age, gender and booth only to record your "
    "membership, confirm your mobile number, count the members and send you the organisation's messages. "
    "Only the office-bearers of your unit see your mobile number and full name. You can withdraw your "
    'membership and your consent at any time with the "not me" link in the SMS sent after you are '
    "verified, or by asking your unit."
)
