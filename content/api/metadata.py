"""What OPTIONS answers: the endpoint's name, description and media types, nothing more.

DRF's default metadata also describes the fields a POST or PUT would take, by building the
view's serializer; a view that picks its serializer per action has none to build, and OPTIONS
was a 500. The fields are documented in the OpenAPI schema, so OPTIONS no longer lists them.
"""

from rest_framework.metadata import SimpleMetadata


class EndpointMetadata(SimpleMetadata):
    """OPTIONS metadata without the serializer fields."""

    def determine_actions(self, request, view):
        return {}
