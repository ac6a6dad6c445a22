"""Claim texts the tip tests share."""

NOTES_HI = "कल से ₹2000 के नोट बंद, आधी रात के बाद कोई दुकान या बैंक इन्हें नहीं लेगा"
NOTES_EN = "₹2000 notes banned from tomorrow; no shop or bank will accept them after midnight"
EVM_HI = "ईवीएम मशीन को ब्लूटूथ से हैक किया जा सकता है, वीडियो देखें"
# A rumour no claim of the samples repeats (the office-bearers' reports: test_reported, test_api_reporter).
RUMOUR = "सोशल मीडिया पर खबर: कल से सारे बैंक सात दिन बंद रहेंगे, आज ही पैसे निकाल लें"
