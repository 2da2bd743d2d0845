from django.contrib.auth import views as auth_views


class PortalLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
