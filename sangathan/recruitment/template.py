"""The default rubric from the seeds: the five things the Rajasthan interviews judged."""

DEFAULT_RUBRIC = (
    "संगठन सृजन अभियान का मानक",
    "Organisation-building drive rubric",
    [
        ("commitment", "संगठन की विचारधारा के प्रति प्रतिबद्धता", "Commitment to the organisation's values", 3),
        ("social_presence", "सक्रिय और स्वाभाविक सोशल मीडिया उपस्थिति", "Active and natural social-media presence", 2),
        ("awareness", "राजनीतिक और सामाजिक जागरूकता", "Political and social awareness", 2),
        ("writing", "रचनात्मक लेखन", "Creative writing", 2),
        ("communication", "संवाद और डिजिटल कौशल", "Communication and digital skills", 1),
    ],
)

DEFAULT_NOTICE_HI = (
    "हम आपका नाम, मोबाइल नंबर, ईमेल, आयु, लिंग, पता (बूथ), सोशल मीडिया खाते, व्यवसाय, शिक्षा, भाषाएँ "
    "और आपके लिखे उत्तर केवल इस अभियान में आपके आवेदन की जाँच, साक्षात्कार और नियुक्ति के लिए रखते हैं। "
    "चयन न होने पर आपका आवेदन अभियान समाप्त होने के एक वर्ष बाद गुमनाम कर दिया जाता है। आप कभी भी अपनी "
    "सहमति वापस ले सकते हैं या अपना डेटा देखने, सुधारने या मिटाने के लिए कह सकते हैं: आवेदन-स्थिति पृष्ठ "
    "पर अपनी संदर्भ संख्या, मोबाइल नंबर और उस नंबर पर भेजे गए कोड से। वहाँ मिलने वाली प्रति में केवल वही "
    "होता है जो आपने आवेदक के रूप में दिया: आपके आवेदन, उनके बारे में भेजे गए संदेश और आपकी सहमति; उसमें "
    "कोई लिंक नहीं होता और किसी दूसरे व्यक्ति या इकाई का डेटा नहीं।"
)
DEFAULT_NOTICE_EN = (
    "We keep your name, mobile number, email, age, gender, place (booth), social-media accounts, occupation, "
    "education, languages and your written answers only to review your application to this campaign, "
    "interview you and appoint you. If you are not selected, your application is anonymised one year after "
    "the campaign ends. You can withdraw your consent, or ask to see, correct or erase your data, at any "
    "time from the application-status page with your reference number, your mobile number and a code we send "
    "to that number. The copy you get there holds only what you gave us as an applicant: your applications, "
    "the messages we sent you about them and your consent; it holds no links and nothing about any other "
    "person or unit."
)


def load_default_rubric(rubric_model, criterion_model):
    """Create the default rubric if there is none (idempotent)."""
    name_hi, name_en, criteria = DEFAULT_RUBRIC
    rubric, _created = rubric_model.objects.get_or_create(name_en=name_en, defaults={"name_hi": name_hi})
    for order, (code, c_hi, c_en, weight) in enumerate(criteria):
        criterion_model.objects.get_or_create(
            rubric=rubric,
            code=code,
            defaults={"name_hi": c_hi, "name_en": c_en, "weight": weight, "scale_max": 10, "order": order},
        )
    return rubric
