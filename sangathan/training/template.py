"""The default training programme from the seeds: the digital wing's basics, in five modules.

The national training team's workshops cover "the newest innovations of social media, digital
strategies and effective political communication"; the modules below are where a new installation
starts and are edited as data afterwards.
(order, Hindi name, English name, expected minutes)
"""

DEFAULT_PROGRAMME = {
    "code": "digital-wing-basics",
    "name_hi": "डिजिटल प्रकोष्ठ बुनियादी प्रशिक्षण",
    "name_en": "Digital wing basic training",
    "description": (
        "सोशल मीडिया विभाग के नव-नियुक्त पदाधिकारियों के लिए: प्लेटफ़ॉर्म, सामग्री, तथ्य-जाँच, डिजिटल सुरक्षा"
        " और राजनीतिक संचार। / For newly appointed office-bearers of the social-media department: platforms,"
        " content, fact-checking, digital security and political communication."
    ),
}

DEFAULT_MODULES = [
    (1, "प्लेटफ़ॉर्म की बुनियादी बातें", "Platform basics", 60),
    (2, "सामग्री निर्माण", "Content creation", 90),
    (3, "तथ्य-जाँच और फ़ेक न्यूज़ का जवाब", "Fact-checking and answering fake news", 60),
    (4, "डिजिटल सुरक्षा", "Digital security", 45),
    (5, "राजनीतिक संचार", "Political communication", 60),
]


def load_default_programme(programme_model, module_model):
    """Create the default programme and its missing modules (idempotent); return the programme."""
    fields = dict(DEFAULT_PROGRAMME)
    programme, _created = programme_model.objects.get_or_create(code=fields.pop("code"), defaults=fields)
    for order, name_hi, name_en, minutes in DEFAULT_MODULES:
        module_model.objects.get_or_create(
            programme=programme,
            order=order,
            defaults={"name_hi": name_hi, "name_en": name_en, "expected_minutes": minutes},
        )
    return programme
