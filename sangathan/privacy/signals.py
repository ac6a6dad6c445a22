"""Signal receivers connected in ``PrivacyConfig.ready``."""


def campaign_saved(sender, instance, raw=False, **kwargs) -> None:
    """Keep the text of each version of a campaign's privacy notice (the campaign holds only the latest)."""
    if raw:  # loading fixtures
        return
    from sangathan.privacy.services import notice_for_campaign

    notice_for_campaign(instance)
