from django.urls import path

from . import views

app_name = "placements"

urlpatterns = [
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
]
