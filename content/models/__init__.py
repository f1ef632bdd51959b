"""Every model of the content app, re-exported."""

from collections.abc import Mapping

from content.models.articles import Article, Section, SectionItem  # noqa: F401
from content.models.edge import EdgePurge  # noqa: F401
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
from content.models.search import SearchEntry, SearchWord, Synonym  # noqa: F401
from content.models.syndication import (  # noqa: F401
    Change,
    WebhookDelivery,
    WebhookSubscription,
)
from content.types import registry


class _LiveModels(Mapping):
    """The live table of each declared content type (content/types.py), by type name."""

    def __getitem__(self, type_: str):
        return registry[type_].live_model()

    def __iter__(self):
        return iter(registry.names())

    def __len__(self) -> int:
        return len(registry.names())


#: The live table of each content type.
LIVE_MODELS = _LiveModels()
