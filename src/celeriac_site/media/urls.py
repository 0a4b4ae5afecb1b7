"""URLs of the media pipeline (mounted at /media-ai/): JSON API, originals, health, gallery."""

from django.urls import URLPattern, path

from celeriac_site.media import views

app_name = "media"

urlpatterns: list[URLPattern] = [
    path("", views.gallery, name="gallery"),
    path("api/photos", views.photos, name="photos"),
    path("api/photos/<int:pk>", views.photo_detail, name="photo-detail"),
    path("api/photos/<int:pk>/file", views.photo_file, name="photo-file"),
    path("api/videos", views.videos, name="videos"),
    path("api/videos/<int:pk>", views.video_detail, name="video-detail"),
    path("api/videos/<int:pk>/file", views.video_file, name="video-file"),
    path("api/health", views.health_view, name="health"),
]
