"""Every model of the content app, re-exported."""

from content.choices import ContentType
from content.models.articles import Article, Section, SectionItem  # noqa: F401
from content.models.editorial import (  # noqa: F401
    Document,
    EditorialEvent,
    EditorProfile,
    Review,
    Revision,
)
from content.models.entities import (  # noqa: F401
    Cause,
    Condition,
    Symptom,
    Treatment,
    WarningSign,
)
from content.models.renderings import Rendering  # noqa: F401
from content.models.search import SearchEntry, Synonym  # noqa: F401
from content.models.syndication import (  # noqa: F401
    Change,
    WebhookDelivery,
    WebhookSubscription,
)

#: The live table of each content type.
LIVE_MODELS = {
    ContentType.ARTICLE: Article,
    ContentType.CONDITION: Condition,
    ContentType.CAUSE: Cause,
    ContentType.SYMPTOM: Symptom,
    ContentType.WARNING_SIGN: WarningSign,
    ContentType.TREATMENT: Treatment,
}
