"""Routes of /api/v1/editorial/."""

app_name = "editorial"

urlpatterns = []
