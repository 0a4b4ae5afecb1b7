"""``process_photos_ai``, ``process_videos_ai`` and ``check_ai_models``."""
