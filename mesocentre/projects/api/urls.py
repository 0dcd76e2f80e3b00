app_name = "projects-api"
urlpatterns = []
