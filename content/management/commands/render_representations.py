"""The former name of `refresh_renderings`, kept so that existing deploy scripts and cron
entries go on working."""

from content.management.commands.refresh_renderings import Command as RefreshRenderings


class Command(RefreshRenderings):
    help = f"Deprecated name of refresh_renderings. {RefreshRenderings.help}"
