"""/partner/...: the partner dashboard and its lists (namespace "partner")."""

from django.urls import path

from portal.web.partner import dashboard, lists, team
from portal.web.partner.invite_participant import participant_invite

app_name = "partner"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("batches/", lists.batch_list, name="batches"),
    path("batches/download/", lists.batch_download, name="batches_download"),
    path("batches/<int:pk>/", lists.batch_detail, name="batch"),
    path(
        "batches/<int:pk>/sessions/<int:session_pk>/",
        lists.session_attendance,
        name="session",
    ),
    path("participants/", lists.participant_list, name="participants"),
    path("participants/download/", lists.participant_download, name="participants_download"),
    path("participants/<int:pk>/", lists.participant_detail, name="participant"),
    path("participants/<int:pk>/invite/", participant_invite, name="participant_invite"),
    path("agreements/", lists.agreement_list, name="agreements"),
    path("agreements/download/", lists.agreement_download, name="agreements_download"),
    path("agreements/<int:pk>/", lists.agreement_detail, name="agreement"),
    path("team/", team.team, name="team"),
    path("team/<int:user_pk>/remove/", team.team_remove, name="team_remove"),
]
