"""/me/...: a participant's own pages (namespace "me"); /me/data.xlsx is in portal.exports."""

from django.urls import path

from . import me

app_name = "me"
urlpatterns = [
    path("", me.status, name="status"),
    path("next/", me.next_step, name="next"),
    path("data/", me.data, name="data"),
    path("data/print/", me.data_print, name="data_print"),
    path("data.json", me.data_json, name="data_json"),
    path("data/correction/", me.correction, name="correction"),
    path("data/consents/<int:pk>/withdraw/", me.consent_withdraw, name="consent_withdraw"),
]
