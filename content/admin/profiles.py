"""Admin of editor profiles: how a reviewer is credited publicly.

A medical reviewer sees, creates and edits only their own profile (display name and
credentials; the public API shows nothing else about them, content/services/profiles.py).
Whoever holds the model permissions (whoever manages users; superusers) manages everyone's.
Saving goes through `editor_profile_save`; a change is credited from the next publish.
"""

from django.contrib import admin

from content.choices import Role
from content.models import EditorProfile
from content.models.editorial import REVIEWER_LABEL
from content.roles import user_roles
from content.services.profiles import editor_profile_save


def _is_reviewer(request) -> bool:
    return Role.MEDICAL_REVIEWERS in user_roles(request.user)


@admin.register(EditorProfile)
class EditorProfileAdmin(admin.ModelAdmin):
    """Reviewers edit their own credit; user managers edit everyone's."""

    list_display = ("credited_as", "credentials", "user")
    search_fields = ("display_name", "user__username")
    raw_id_fields = ("user",)

    @admin.display(description="Credited as", ordering="display_name")
    def credited_as(self, profile: EditorProfile) -> str:
        return profile.display_name or f"{REVIEWER_LABEL} (no display name)"

    # --- permissions: managers by model permission, reviewers for their own profile --------

    def _manages(self, request) -> bool:
        return request.user.has_perm("content.change_editorprofile")

    def _own(self, request, obj) -> bool:
        return _is_reviewer(request) and (obj is None or obj.user_id == request.user.pk)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or _is_reviewer(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._own(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self._own(request, obj)

    def has_add_permission(self, request):
        # A reviewer's "add" sets their own profile (updating it if they have one already):
        # asking whether they do would cost a query on every admin page.
        return super().has_add_permission(request) or _is_reviewer(request)

    def get_queryset(self, request):
        profiles = super().get_queryset(request).select_related("user")
        return profiles if self._manages(request) else profiles.filter(user=request.user)

    def get_fields(self, request, obj=None):
        fields = ["display_name", "credentials"]
        return ["user", *fields] if self._manages(request) else fields

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None and self._manages(request) else []

    def save_model(self, request, obj, form, change):
        user = obj.user if self._manages(request) else request.user
        saved = editor_profile_save(
            user=user, display_name=obj.display_name, credentials=obj.credentials,
            actor=request.user,
        )
        obj.pk = saved.pk
